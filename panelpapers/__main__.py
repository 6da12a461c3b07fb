from panelpapers.cli import main

raise SystemExit(main())
