package dev.tributary.oracle.debezium;

import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.storage.SimpleHeaderConverter;

/**
 * Runs Debezium's PostgreSQL connector in the embedded engine and prints every change event as one JSON line on
 * stdout, serialized exactly as a Kafka Connect worker with default converters would write it to Kafka:
 * {@code {"topic", "key", "value", "headers": [{"key", "value"}], "timestamp", "partition"}} where key and value
 * are the JsonConverter output as text (null for a null key or a tombstone) and header values the
 * SimpleHeaderConverter output (Connect's default header converter) as text.
 *
 * <p>Stops after {@code --max-events} events, after {@code --idle-ms} without events (counted from the moment the
 * task starts polling), or when stdin closes
 * ({@code --stop-on-eof}). Logs and a final {@code {"status": ...}} line go to stderr.
 *
 * <pre>
 * DebeziumOracle --host H --port P --db D --user U --password W --slot S --publication P --tables T
 *     [--snapshot-mode initial] [--topic-prefix dbserver1] [--schemas-enable true] [--offsets-file F]
 *     [--max-events N] [--idle-ms 5000] [--stop-on-eof] [--log-level warn] [--prop key=value]...
 * </pre>
 */
public final class DebeziumOracle {
    private DebeziumOracle() {}

    private static final class Options {
        final Map<String, String> values = new LinkedHashMap<>();
        final List<String> props = new ArrayList<>();
        boolean stopOnEof;

        String get(String name) {
            String value = values.get(name);
            if (value == null) {
                fail("missing --" + name);
            }
            return value;
        }

        String get(String name, String fallback) {
            return values.getOrDefault(name, fallback);
        }
    }

    private static void fail(String message) {
        System.err.println(message);
        System.err.println("usage: DebeziumOracle --host H --port P --db D --user U --password W --slot S"
                + " --publication P --tables T [--snapshot-mode M] [--topic-prefix X] [--schemas-enable true|false]"
                + " [--offsets-file F] [--max-events N] [--idle-ms MS] [--stop-on-eof] [--log-level L]"
                + " [--prop key=value]...");
        System.exit(2);
    }

    private static Options parse(String[] args) {
        Options options = new Options();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                fail("unexpected argument " + arg);
            }
            String name = arg.substring(2);
            if (name.equals("stop-on-eof")) {
                options.stopOnEof = true;
                continue;
            }
            if (i + 1 >= args.length) {
                fail("missing value for " + arg);
            }
            String value = args[++i];
            if (name.equals("prop")) {
                options.props.add(value);
            } else {
                options.values.put(name, value);
            }
        }
        return options;
    }

    public static void main(String[] args) throws Exception {
        Options options = parse(args);
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", options.get("log-level", "warn"));
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");

        Properties props = new Properties();
        props.setProperty("name", "tributary-debezium-oracle");
        props.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        String offsetsFile = options.values.get("offsets-file");
        if (offsetsFile == null) {
            props.setProperty("offset.storage", "org.apache.kafka.connect.storage.MemoryOffsetBackingStore");
        } else {
            props.setProperty("offset.storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore");
            props.setProperty("offset.storage.file.filename", offsetsFile);
        }
        props.setProperty("offset.flush.interval.ms", "0");
        props.setProperty("database.hostname", options.get("host"));
        props.setProperty("database.port", options.get("port"));
        props.setProperty("database.dbname", options.get("db"));
        props.setProperty("database.user", options.get("user"));
        props.setProperty("database.password", options.get("password"));
        props.setProperty("topic.prefix", options.get("topic-prefix", "dbserver1"));
        props.setProperty("plugin.name", "pgoutput");
        props.setProperty("slot.name", options.get("slot"));
        props.setProperty("publication.name", options.get("publication"));
        props.setProperty("table.include.list", options.get("tables"));
        props.setProperty("snapshot.mode", options.get("snapshot-mode", "initial"));
        for (String prop : options.props) {
            int eq = prop.indexOf('=');
            if (eq <= 0) {
                fail("--prop needs key=value, got " + prop);
            }
            props.setProperty(prop.substring(0, eq), prop.substring(eq + 1));
        }

        boolean schemas = Boolean.parseBoolean(options.get("schemas-enable", "true"));
        JsonConverter keyConverter = new JsonConverter();
        keyConverter.configure(Map.of("schemas.enable", String.valueOf(schemas)), true);
        JsonConverter valueConverter = new JsonConverter();
        valueConverter.configure(Map.of("schemas.enable", String.valueOf(schemas)), false);
        SimpleHeaderConverter headerConverter = new SimpleHeaderConverter();
        headerConverter.configure(Map.of());

        long maxEvents = Long.parseLong(options.get("max-events", "-1"));
        long idleMs = Long.parseLong(options.get("idle-ms", "5000"));
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        AtomicLong count = new AtomicLong();
        AtomicLong lastEvent = new AtomicLong(System.nanoTime());
        AtomicReference<String> failure = new AtomicReference<>();
        // The idle period counts from when the task starts polling (connector start-up is not idleness).
        java.util.concurrent.atomic.AtomicBoolean polling = new java.util.concurrent.atomic.AtomicBoolean();
        Object done = new Object();

        DebeziumEngine<RecordChangeEvent<SourceRecord>> engine = DebeziumEngine
                .create(ChangeEventFormat.of(Connect.class))
                .using(props)
                .using(new DebeziumEngine.ConnectorCallback() {
                    @Override
                    public void pollingStarted() {
                        lastEvent.set(System.nanoTime());
                        polling.set(true);
                        System.err.println("{\"status\":\"polling\"}");
                    }
                })
                .using((success, message, error) -> {
                    if (!success) {
                        failure.set(message + (error == null ? "" : ": " + error));
                    }
                    synchronized (done) {
                        done.notifyAll();
                    }
                })
                .notifying((records, committer) -> {
                    for (RecordChangeEvent<SourceRecord> event : records) {
                        if (maxEvents >= 0 && count.get() >= maxEvents) {
                            break;
                        }
                        SourceRecord record = event.record();
                        synchronized (out) {
                            out.println(line(record, keyConverter, valueConverter, headerConverter));
                            out.flush();
                        }
                        count.incrementAndGet();
                        lastEvent.set(System.nanoTime());
                        committer.markProcessed(event);
                    }
                    committer.markBatchFinished();
                    synchronized (done) {
                        done.notifyAll();
                    }
                })
                .build();

        if (options.stopOnEof) {
            Thread watcher = new Thread(() -> {
                try {
                    InputStream in = System.in;
                    while (in.read() != -1) {
                        // Only the end of input matters.
                    }
                } catch (IOException ignored) {
                    // Treat a broken stdin like its end.
                }
                synchronized (done) {
                    failure.compareAndSet(null, "");
                    done.notifyAll();
                }
            }, "stdin-watcher");
            watcher.setDaemon(true);
            watcher.start();
        }

        ExecutorService executor = Executors.newSingleThreadExecutor();
        executor.execute(engine);
        String reason;
        synchronized (done) {
            for (;;) {
                if (failure.get() != null) {
                    reason = failure.get().isEmpty() ? "stdin closed" : "engine failed: " + failure.get();
                    break;
                }
                if (maxEvents >= 0 && count.get() >= maxEvents) {
                    reason = "max events";
                    break;
                }
                long idle = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastEvent.get());
                if (polling.get() && idleMs > 0 && idle >= idleMs) {
                    reason = "idle";
                    break;
                }
                done.wait(Math.max(1, polling.get() && idleMs > 0 ? idleMs - idle : 200));
            }
        }
        engine.close();
        executor.shutdown();
        executor.awaitTermination(30, TimeUnit.SECONDS);
        out.flush();
        boolean failed = reason.startsWith("engine failed");
        System.err.println("{\"status\":\"" + (failed ? "failed" : "stopped") + "\",\"reason\":"
                + quote(reason) + ",\"events\":" + count.get() + "}");
        System.exit(failed ? 1 : 0);
    }

    private static String line(SourceRecord record, JsonConverter keyConverter, JsonConverter valueConverter,
            SimpleHeaderConverter headerConverter) {
        String topic = record.topic();
        byte[] key = keyConverter.fromConnectData(topic, record.keySchema(), record.key());
        byte[] value = valueConverter.fromConnectData(topic, record.valueSchema(), record.value());
        StringBuilder json = new StringBuilder(256);
        json.append("{\"topic\":").append(quote(topic));
        json.append(",\"key\":").append(key == null ? "null" : quote(new String(key, StandardCharsets.UTF_8)));
        json.append(",\"value\":").append(value == null ? "null" : quote(new String(value, StandardCharsets.UTF_8)));
        json.append(",\"headers\":[");
        boolean first = true;
        for (Header header : record.headers()) {
            byte[] bytes = headerConverter.fromConnectHeader(topic, header.key(), header.schema(), header.value());
            if (!first) {
                json.append(',');
            }
            first = false;
            json.append("{\"key\":").append(quote(header.key())).append(",\"value\":")
                    .append(bytes == null ? "null" : quote(new String(bytes, StandardCharsets.UTF_8)))
                    .append(",\"base64\":").append(bytes == null ? "null" : quote(Base64.getEncoder().encodeToString(bytes)))
                    .append('}');
        }
        json.append("],\"timestamp\":").append(record.timestamp() == null ? "null" : record.timestamp().toString());
        json.append(",\"partition\":").append(record.kafkaPartition() == null ? "null" : record.kafkaPartition().toString());
        json.append('}');
        return json.toString();
    }

    private static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
