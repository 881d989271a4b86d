package dev.tributary.oracle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Command line entry of the Kafka Streams oracle. Prints one JSON object per scenario on its own stdout line, in
 * input order: {@code {"index", "file"?, "name"?, "steps": [{<output>: [records]}], "droppedRecords"}} or
 * {@code {"index", ..., "error": "..."}} when Kafka Streams rejected the scenario.
 *
 * <pre>
 *   OracleMain FILE_OR_DIR...   scenario files (directories: every *.json inside, sorted by name)
 *   OracleMain -                one JSON document on stdin: a scenario or an array of scenarios
 *   OracleMain --lines          one scenario per stdin line, one result line per input line (long-lived use)
 * </pre>
 */
public final class OracleMain {
    private OracleMain() {}

    public static void main(String[] args) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        Path stateRoot = Files.createTempDirectory("tributary-streams-oracle-");
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false,
                StandardCharsets.UTF_8);
        try {
            ScenarioRunner runner = new ScenarioRunner(mapper, stateRoot);
            if (args.length == 1 && args[0].equals("--lines")) {
                BufferedReader reader = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                String line;
                int index = 0;
                while ((line = reader.readLine()) != null) {
                    if (line.isBlank()) {
                        continue;
                    }
                    ObjectNode result;
                    try {
                        result = runOne(runner, mapper, mapper.readTree(line), index, null);
                    } catch (IOException e) {
                        result = mapper.createObjectNode().put("index", index).put("error", "invalid JSON: " + e.getMessage());
                    }
                    index++;
                    out.println(mapper.writeValueAsString(result));
                    out.flush();
                }
                return;
            }
            if (args.length == 0) {
                System.err.println("usage: OracleMain FILE_OR_DIR... | - | --lines");
                System.exit(2);
            }
            int index = 0;
            if (args.length == 1 && args[0].equals("-")) {
                JsonNode document = mapper.readTree(System.in);
                List<JsonNode> scenarios = new ArrayList<>();
                if (document.isArray()) {
                    document.forEach(scenarios::add);
                } else {
                    scenarios.add(document);
                }
                for (JsonNode scenario : scenarios) {
                    out.println(mapper.writeValueAsString(runOne(runner, mapper, scenario, index++, null)));
                }
            } else {
                for (Path file : expand(args)) {
                    ObjectNode result;
                    try {
                        result = runOne(runner, mapper, mapper.readTree(file.toFile()), index, file.toString());
                    } catch (IOException e) {
                        result = mapper.createObjectNode().put("index", index).put("file", file.toString())
                                .put("error", "cannot read scenario: " + e.getMessage());
                    }
                    index++;
                    out.println(mapper.writeValueAsString(result));
                }
            }
            out.flush();
        } finally {
            deleteRecursively(stateRoot);
        }
    }

    private static ObjectNode runOne(ScenarioRunner runner, ObjectMapper mapper, JsonNode scenario, int index,
            String file) {
        ObjectNode head = mapper.createObjectNode().put("index", index);
        if (file != null) {
            head.put("file", file);
        }
        try {
            head.setAll(runner.run(scenario));
        } catch (RuntimeException e) {
            if (scenario.has("name")) {
                head.set("name", scenario.get("name"));
            }
            head.put("error", describe(e));
        }
        return head;
    }

    private static String describe(Throwable error) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (text.length() > 0) {
                text.append(" <- caused by ");
            }
            text.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
        }
        if (!(error instanceof ScenarioRunner.ScenarioException) && !(error instanceof IllegalArgumentException)) {
            StringWriter trace = new StringWriter();
            error.printStackTrace(new PrintWriter(trace));
            System.err.println(trace);
        }
        return text.toString();
    }

    private static List<Path> expand(String[] args) throws IOException {
        List<Path> files = new ArrayList<>();
        for (String arg : args) {
            Path path = Path.of(arg);
            if (Files.isDirectory(path)) {
                try (Stream<Path> entries = Files.list(path)) {
                    entries.filter(p -> p.getFileName().toString().endsWith(".json"))
                            .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                            .forEach(files::add);
                }
            } else {
                files.add(path);
            }
        }
        return files;
    }

    private static void deleteRecursively(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // Best effort: the directory lives under the system temp folder.
        }
    }
}
