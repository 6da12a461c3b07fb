"""The pack's structure tree: the front sheet's tree and every paper's, in pack order, each as a Part
(titled with its agenda line) under one Document, so the pack reads as the papers do, alt text and
table headers included. Each source's pages must already be in the pack (`pikepdf` copies a source's
objects once, so its tree, copied afterwards, points at the pack's copies of its pages and links)."""

from __future__ import annotations

from typing import Any


def _number_tree(node: Any) -> list[tuple[int, Any]]:
    nums = node.get("/Nums")
    pairs = [(int(nums[i]), nums[i + 1]) for i in range(0, len(nums), 2)] if nums is not None else []
    for kid in node.get("/Kids", []):
        pairs += _number_tree(kid)
    return pairs


def _name_tree(node: Any) -> list[tuple[bytes, Any]]:
    names = node.get("/Names")
    pairs = [(bytes(names[i]), names[i + 1]) for i in range(0, len(names), 2)] if names is not None else []
    for kid in node.get("/Kids", []):
        pairs += _name_tree(kid)
    return pairs


class Structure:
    def __init__(self, pack: Any) -> None:
        import pikepdf
        from pikepdf import Array, Dictionary, Name

        self.pack = pack
        self.root = pack.make_indirect(Dictionary(Type=Name.StructTreeRoot))
        self.document = pack.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=self.root, K=Array()))
        self.root.K = Array([self.document])
        self.nums: list[tuple[int, Any]] = []
        self.ids: list[tuple[bytes, Any]] = []
        self.roles: dict[str, Any] = {}
        self.next_key = 0
        self.pikepdf = pikepdf

    def add(self, source: Any, first_page: int, title: str) -> None:
        """`source`'s tree, its pages being the pack's pages from `first_page` (zero-based)."""
        from pikepdf import Name, String

        if "/StructTreeRoot" not in source.Root:
            return
        root = self.pack.copy_foreign(source.Root.StructTreeRoot)
        # Keys of the ParentTree (a page's /StructParents, a link's /StructParent) follow on from
        # the sources before, as the pages do.
        offset = self.next_key
        pairs = _number_tree(root.ParentTree) if "/ParentTree" in root else []
        self.nums += [(key + offset, value) for key, value in pairs]
        for page in self.pack.pages[first_page : first_page + len(source.pages)]:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + offset
            for annotation in page.obj.get("/Annots", []):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + offset
        keys = [key for key, _ in pairs]
        self.next_key = offset + max(int(root.get("/ParentTreeNextKey", 0)), max(keys, default=-1) + 1)
        if "/IDTree" in root:
            self.ids += _name_tree(root.IDTree)  # unique: ids start with a digest of their paper
        for role, mapped in (root.get("/RoleMap") or {}).items():
            self.roles.setdefault(str(role), mapped)
        kids = root.K if isinstance(root.K, self.pikepdf.Array) else [root.K]
        for kid in kids:
            if kid.get("/S") == "/Document":
                kid.S = Name.Part
                kid.T = String(title)
            kid.P = self.document
            self.document.K.append(kid)

    def finish(self) -> None:
        from pikepdf import Array, Dictionary, Name, String

        self.root.ParentTree = self.pack.make_indirect(Dictionary(Nums=Array([x for pair in self.nums for x in pair])))
        self.root.ParentTreeNextKey = self.next_key
        if self.ids:
            names = Array(
                [x for key, value in sorted(self.ids, key=lambda pair: pair[0]) for x in (String(key), value)]
            )
            self.root.IDTree = self.pack.make_indirect(Dictionary(Names=names))
        if self.roles:
            self.root.RoleMap = Dictionary({key: self.roles[key] for key in sorted(self.roles)})
        self.pack.Root.StructTreeRoot = self.root
        self.pack.Root.MarkInfo = Dictionary(Marked=True)
        self.pack.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
        for page in self.pack.pages:
            page.obj.Tabs = Name.S  # links in structure order, as in the papers
