package dev.tributary.oracle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Command line entry of the Kafka Streams oracle. Prints one JSON object per scenario on its own stdout line, in
 * input order: {@code {"index", "file"?, "name"?, "steps": [{<output>: [records]}], "droppedRecords", "elapsedMs"}},
 * or {@code {"index", ..., "error": "..."}} when Kafka Streams rejected the scenario.
 *
 * <pre>
 *   OracleMain [OPTIONS] FILE_OR_DIR...   scenario files (directories: every *.json inside, sorted by name)
 *   OracleMain [OPTIONS] -                one JSON document on stdin: a scenario or an array of scenarios
 *   OracleMain [OPTIONS] --lines          one scenario per stdin line, one result line each (long-lived use)
 * OPTIONS
 *   --threads=N              run N scenarios at a time (batch modes; default 1)
 * </pre>
 * State directories go under /dev/shm when it exists (RocksDB opens much faster on tmpfs).
 */
public final class OracleMain {
    private OracleMain() {}

    public static void main(String[] argv) throws Exception {
        int threads = 1;
        List<String> args = new ArrayList<>();
        for (String arg : argv) {
            if (arg.startsWith("--threads=")) {
                threads = Math.max(1, Integer.parseInt(arg.substring("--threads=".length())));
            } else {
                args.add(arg);
            }
        }
        if (args.isEmpty()) {
            usage("no scenarios given");
        }
        ObjectMapper mapper = new ObjectMapper();
        Path shm = Path.of("/dev/shm");
        Path stateRoot = Files.isDirectory(shm) && Files.isWritable(shm)
                ? Files.createTempDirectory(shm, "tributary-streams-oracle-")
                : Files.createTempDirectory("tributary-streams-oracle-");
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        ScenarioRunner runner = new ScenarioRunner(mapper, stateRoot);
        try {
            if (args.size() == 1 && args.get(0).equals("--lines")) {
                serveLines(runner, mapper, out);
                return;
            }
            List<Supplier<ObjectNode>> jobs = new ArrayList<>();
            if (args.size() == 1 && args.get(0).equals("-")) {
                JsonNode document = mapper.readTree(System.in);
                List<JsonNode> scenarios = new ArrayList<>();
                if (document.isArray()) {
                    document.forEach(scenarios::add);
                } else {
                    scenarios.add(document);
                }
                for (int i = 0; i < scenarios.size(); i++) {
                    JsonNode scenario = scenarios.get(i);
                    int index = i;
                    jobs.add(() -> runOne(runner, mapper, scenario, index, null));
                }
            } else {
                List<Path> files = expand(args);
                for (int i = 0; i < files.size(); i++) {
                    Path file = files.get(i);
                    int index = i;
                    jobs.add(() -> {
                        try {
                            return runOne(runner, mapper, mapper.readTree(file.toFile()), index, file.toString());
                        } catch (IOException e) {
                            return mapper.createObjectNode().put("index", index).put("file", file.toString())
                                    .put("error", "cannot read scenario: " + e.getMessage());
                        }
                    });
                }
            }
            runAll(jobs, threads, mapper, out);
        } finally {
            out.flush();
            deleteRecursively(stateRoot);
        }
    }

    private static void usage(String problem) {
        System.err.println(problem);
        System.err.println("usage: OracleMain [--threads=N] FILE_OR_DIR... | - | --lines");
        System.exit(2);
    }

    private static void runAll(List<Supplier<ObjectNode>> jobs, int threads, ObjectMapper mapper, PrintStream out)
            throws IOException, InterruptedException, ExecutionException {
        if (threads == 1) {
            for (Supplier<ObjectNode> job : jobs) {
                out.println(mapper.writeValueAsString(job.get()));
            }
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<ObjectNode>> results = new ArrayList<>();
            for (Supplier<ObjectNode> job : jobs) {
                results.add(pool.submit(job::get));
            }
            for (Future<ObjectNode> result : results) {
                out.println(mapper.writeValueAsString(result.get()));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void serveLines(ScenarioRunner runner, ObjectMapper mapper, PrintStream out) throws IOException {
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
    }

    private static ObjectNode runOne(ScenarioRunner runner, ObjectMapper mapper, JsonNode scenario, int index,
            String file) {
        ObjectNode head = mapper.createObjectNode().put("index", index);
        if (file != null) {
            head.put("file", file);
        }
        long started = System.nanoTime();
        try {
            head.setAll(runner.run(scenario));
        } catch (RuntimeException e) {
            if (scenario.has("name")) {
                head.set("name", scenario.get("name"));
            }
            head.put("error", describe(e));
        }
        head.put("elapsedMs", (System.nanoTime() - started) / 1_000_000);
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

    private static List<Path> expand(List<String> args) throws IOException {
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
            // Best effort: the directory lives under a temp folder.
        }
    }
}
