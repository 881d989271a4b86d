package dev.tributary.oracle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.Joined;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.KGroupedTable;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.SessionWindowedKStream;
import org.apache.kafka.streams.kstream.SessionWindows;
import org.apache.kafka.streams.kstream.SlidingWindows;
import org.apache.kafka.streams.kstream.StreamJoined;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindowedKStream;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.ValueJoiner;
import org.apache.kafka.streams.kstream.Window;
import org.apache.kafka.streams.kstream.Windowed;

/**
 * Builds the Kafka Streams topology a conformance scenario describes (see shared/conformance/README.md), pipes the
 * scenario's steps through {@link TopologyTestDriver} and returns the records each named output received per step.
 *
 * <p>Final results ({@code final}) come from {@code suppress(untilWindowCloses(unbounded()))} when the scenario's
 * source is a suppress test (or {@code topology.emitFinal} is {@code "suppress"}), otherwise from
 * {@code emitStrategy(EmitStrategy.onWindowClose())}. The emit-final variant runs in a topology of its own so that the
 * dropped-records metric counts the update-mode aggregation only (two aggregations would count every drop twice).
 */
public final class ScenarioRunner {
    private static final String EMIT_INTERVAL_WINDOWED = "__emit.interval.ms.kstreams.windowed.aggregation__";
    private static final String EMIT_INTERVAL_OUTER_JOIN = "__emit.interval.ms.kstreams.outer.join.spurious.results.fix__";

    private final ObjectMapper mapper;
    private final Path stateRoot;
    private final AtomicLong sequence = new AtomicLong();
    private final ScalarSerde scalar = new ScalarSerde();

    /**
     * State stores are Kafka Streams' defaults (RocksDB). The in-memory DSL stores are not a faster equivalent: with
     * them, emit-on-window-close forwards nothing for session windows and misses windows of time and sliding windows,
     * and the stream-stream join stores count different dropped records.
     */
    public ScenarioRunner(ObjectMapper mapper, Path stateRoot) {
        this.mapper = mapper;
        this.stateRoot = stateRoot;
    }

    /** A topology with its named outputs; each plan runs in its own driver. */
    private record Plan(Topology topology, Map<String, Capture> outputs) {}

    /** Thrown for a scenario this runner cannot interpret. */
    public static final class ScenarioException extends RuntimeException {
        public ScenarioException(String message) {
            super(message);
        }
    }

    public ObjectNode run(JsonNode scenario) {
        ObjectNode result = mapper.createObjectNode();
        if (scenario.has("name")) {
            result.set("name", scenario.get("name"));
        }
        JsonNode topology = required(scenario, "topology");
        String kind = required(topology, "kind").asText();
        if (kind.equals("windows-for")) {
            result.set("steps", windowsFor(topology));
            return result;
        }
        List<Plan> plans = plans(kind, topology, scenario);
        ArrayNode steps = mapper.createArrayNode();
        for (JsonNode ignored : scenario.path("steps")) {
            steps.add(mapper.createObjectNode());
        }
        long dropped = 0;
        for (int p = 0; p < plans.size(); p++) {
            Plan plan = plans.get(p);
            try (TopologyTestDriver driver = new TopologyTestDriver(plan.topology(), config(), Instant.EPOCH)) {
                Map<String, TestInputTopic<String, Object>> inputs = new HashMap<>();
                int index = 0;
                for (JsonNode step : scenario.path("steps")) {
                    for (JsonNode record : step.path("input")) {
                        pipe(driver, inputs, record);
                    }
                    ObjectNode out = (ObjectNode) steps.get(index++);
                    for (Map.Entry<String, Capture> output : plan.outputs().entrySet()) {
                        out.set(output.getKey(), toJson(output.getValue().drain()));
                    }
                }
                if (p == 0) {
                    dropped = droppedRecords(driver.metrics());
                }
            }
        }
        result.set("steps", steps);
        result.put("droppedRecords", dropped);
        return result;
    }

    private Properties config() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "tributary-oracle-" + sequence.incrementAndGet());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "oracle.invalid:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateRoot.toString());
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class.getName());
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, ScalarSerde.class.getName());
        props.put(EMIT_INTERVAL_WINDOWED, 0L);
        props.put(EMIT_INTERVAL_OUTER_JOIN, 0L);
        return props;
    }

    private void pipe(TopologyTestDriver driver, Map<String, TestInputTopic<String, Object>> inputs, JsonNode record) {
        String topic = required(record, "topic").asText();
        TestInputTopic<String, Object> input = inputs.computeIfAbsent(topic,
                name -> driver.createInputTopic(name, new StringSerializer(), scalar.serializer()));
        JsonNode key = record.get("key");
        String k = key == null || key.isNull() ? null : key.asText();
        input.pipeInput(k, scalarValue(record.get("value")), required(record, "ts").asLong());
    }

    private static Object scalarValue(JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isIntegralNumber()) {
            return value.asLong();
        }
        if (value.isTextual()) {
            return value.asText();
        }
        throw new ScenarioException("unsupported input value " + value + " (strings, integers or null)");
    }

    private static long droppedRecords(Map<MetricName, ? extends Metric> metrics) {
        double total = 0;
        for (Map.Entry<MetricName, ? extends Metric> metric : metrics.entrySet()) {
            MetricName name = metric.getKey();
            if (name.name().equals("dropped-records-total") && name.group().equals("stream-task-metrics")) {
                total += ((Number) metric.getValue().metricValue()).doubleValue();
            }
        }
        return Math.round(total);
    }

    private ArrayNode toJson(List<Capture.Emitted> records) {
        ArrayNode array = mapper.createArrayNode();
        for (Capture.Emitted record : records) {
            ObjectNode node = array.addObject();
            node.set("key", scalarJson(record.key()));
            if (record.windowStart() != null) {
                node.putArray("window").add(record.windowStart()).add(record.windowEnd());
            }
            node.set("value", scalarJson(record.value()));
            node.put("ts", record.ts());
        }
        return array;
    }

    private JsonNode scalarJson(Object value) {
        if (value == null) {
            return mapper.nullNode();
        }
        if (value instanceof Long l) {
            return mapper.getNodeFactory().numberNode(l);
        }
        return mapper.getNodeFactory().textNode(value.toString());
    }

    private ArrayNode windowsFor(JsonNode topology) {
        long size = required(topology, "size").asLong();
        long advance = topology.path("advance").asLong(size);
        long ts = required(topology, "ts").asLong();
        Map<Long, ? extends Window> windows = TimeWindows.ofSizeWithNoGrace(Duration.ofMillis(size))
                .advanceBy(Duration.ofMillis(advance)).windowsFor(ts);
        ArrayNode steps = mapper.createArrayNode();
        ArrayNode list = steps.addObject().putArray("windows");
        for (Window window : windows.values()) {
            list.addArray().add(window.start()).add(window.end());
        }
        return steps;
    }

    // ---------------------------------------------------------------- topologies

    private List<Plan> plans(String kind, JsonNode topology, JsonNode scenario) {
        return switch (kind) {
            case "windowed-aggregate" -> windowedAggregate(topology, scenario);
            case "table-source" -> List.of(tableSource());
            case "table-regroup-aggregate" -> List.of(tableRegroupAggregate(topology));
            case "stream-stream-join" -> List.of(streamStreamJoin(topology));
            case "stream-table-join" -> List.of(streamTableJoin(topology));
            case "table-table-join" -> List.of(tableTableJoin(topology));
            case "composed" -> List.of(composed(topology));
            default -> throw new ScenarioException("unknown topology kind " + kind);
        };
    }

    private static boolean finalBySuppress(JsonNode topology, JsonNode scenario) {
        JsonNode mode = topology.get("emitFinal");
        if (mode != null && !mode.isNull()) {
            return switch (mode.asText()) {
                case "suppress" -> true;
                case "onWindowClose" -> false;
                default -> throw new ScenarioException("topology.emitFinal must be suppress or onWindowClose, got " + mode);
            };
        }
        return scenario.path("source").asText("").startsWith("SuppressScenarioTest");
    }

    private List<Plan> windowedAggregate(JsonNode topology, JsonNode scenario) {
        boolean suppress = finalBySuppress(topology, scenario);
        List<Plan> plans = new ArrayList<>();
        {
            StreamsBuilder builder = new StreamsBuilder();
            KTable<Windowed<String>, Object> table = windowedTable(builder, topology, false);
            Map<String, Capture> outputs = new LinkedHashMap<>();
            Capture updates = new Capture();
            outputs.put("updates", updates);
            table.toStream().process(updates.supplier());
            if (suppress) {
                Capture finals = new Capture();
                outputs.put("final", finals);
                table.suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))
                        .toStream().process(finals.supplier());
            }
            plans.add(new Plan(builder.build(), outputs));
        }
        if (!suppress) {
            StreamsBuilder builder = new StreamsBuilder();
            KTable<Windowed<String>, Object> table = windowedTable(builder, topology, true);
            Capture finals = new Capture();
            table.toStream().process(finals.supplier());
            plans.add(new Plan(builder.build(), Map.of("final", finals)));
        }
        return plans;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private KTable<Windowed<String>, Object> windowedTable(StreamsBuilder builder, JsonNode topology, boolean onClose) {
        KStream<String, Object> input = builder.stream("input", Consumed.with(Serdes.String(), scalar));
        Grouped<String, Object> grouped = Grouped.with(Serdes.String(), scalar);
        KGroupedStream<String, Object> group = topology.path("groupBy").asBoolean(false)
                ? input.groupBy((k, v) -> k, grouped)
                : input.groupByKey(grouped);
        JsonNode windows = required(topology, "windows");
        String type = required(windows, "type").asText();
        long grace = windows.path("grace").asLong(0);
        boolean count = aggregation(topology).equals("count");
        String init = topology.path("init").asText("0");
        if (type.equals("session")) {
            SessionWindowedKStream<String, Object> sessions = group.windowedBy(SessionWindows.ofInactivityGapAndGrace(
                    Duration.ofMillis(required(windows, "gap").asLong()), Duration.ofMillis(grace)));
            if (onClose) {
                sessions = sessions.emitStrategy(EmitStrategy.onWindowClose());
            }
            if (count) {
                return (KTable) sessions.count();
            }
            return sessions.aggregate(() -> init, (k, v, agg) -> agg + "+" + v, (k, a, b) -> String.valueOf(a) + b,
                    Materialized.with(Serdes.String(), scalar));
        }
        TimeWindowedKStream<String, Object> timed;
        if (type.equals("time")) {
            long size = required(windows, "size").asLong();
            long advance = windows.path("advance").asLong(size);
            timed = group.windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(size), Duration.ofMillis(grace))
                    .advanceBy(Duration.ofMillis(advance)));
        } else if (type.equals("sliding")) {
            timed = group.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(
                    Duration.ofMillis(required(windows, "difference").asLong()), Duration.ofMillis(grace)));
        } else {
            throw new ScenarioException("unknown window type " + type);
        }
        if (onClose) {
            timed = timed.emitStrategy(EmitStrategy.onWindowClose());
        }
        if (count) {
            return (KTable) timed.count();
        }
        return timed.aggregate(() -> init, (k, v, agg) -> agg + "+" + v, Materialized.with(Serdes.String(), scalar));
    }

    private Plan tableSource() {
        StreamsBuilder builder = new StreamsBuilder();
        Capture updates = new Capture();
        builder.table("input", Consumed.with(Serdes.String(), scalar)).toStream().process(updates.supplier());
        return new Plan(builder.build(), Map.of("updates", updates));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Plan tableRegroupAggregate(JsonNode topology) {
        StreamsBuilder builder = new StreamsBuilder();
        KTable<String, Object> table = builder.table("input", Consumed.with(Serdes.String(), scalar));
        String regroup = required(topology, "regroup").asText();
        Grouped<String, Object> grouped = Grouped.with(Serdes.String(), scalar);
        KGroupedTable<String, Object> group = switch (regroup) {
            case "identity" -> table.groupBy((k, v) -> KeyValue.pair(k, v), grouped);
            case "swap" -> table.groupBy((k, v) -> KeyValue.pair(String.valueOf(v), (Object) k), grouped);
            default -> throw new ScenarioException("unknown regroup " + regroup);
        };
        String init = topology.path("init").asText("0");
        KTable<String, Object> aggregate = aggregation(topology).equals("count")
                ? (KTable) group.count()
                : group.aggregate(() -> init, (k, v, agg) -> agg + "+" + v, (k, v, agg) -> agg + "-" + v,
                        Materialized.with(Serdes.String(), scalar));
        Map<String, Capture> outputs = new LinkedHashMap<>();
        Capture updates = new Capture();
        outputs.put("updates", updates);
        aggregate.toStream().process(updates.supplier());
        JsonNode suppress = topology.get("suppress");
        if (suppress != null && !suppress.isNull()) {
            Capture suppressed = new Capture();
            outputs.put("suppressed", suppressed);
            aggregate.suppress(Suppressed.untilTimeLimit(Duration.ofMillis(required(suppress, "timeLimit").asLong()),
                    Suppressed.BufferConfig.unbounded())).toStream().process(suppressed.supplier());
        }
        return new Plan(builder.build(), outputs);
    }

    private static final ValueJoiner<Object, Object, Object> JOINER =
            (left, right) -> String.valueOf(left) + "+" + String.valueOf(right);

    private Plan streamStreamJoin(JsonNode topology) {
        StreamsBuilder builder = new StreamsBuilder();
        KStream<String, Object> left = builder.stream("left", Consumed.with(Serdes.String(), scalar));
        KStream<String, Object> right = builder.stream("right", Consumed.with(Serdes.String(), scalar));
        JoinWindows windows = joinWindows(required(topology, "before").asLong(), required(topology, "after").asLong(),
                topology.path("grace").asLong(0));
        StreamJoined<String, Object, Object> joined = StreamJoined.with(Serdes.String(), scalar, scalar);
        String join = required(topology, "join").asText();
        KStream<String, Object> out = switch (join) {
            case "inner" -> left.join(right, JOINER, windows, joined);
            case "left" -> left.leftJoin(right, JOINER, windows, joined);
            case "outer" -> left.outerJoin(right, JOINER, windows, joined);
            default -> throw new ScenarioException("unknown stream-stream join " + join);
        };
        Capture updates = new Capture();
        out.process(updates.supplier());
        return new Plan(builder.build(), Map.of("updates", updates));
    }

    /** before/after may be asymmetric; Kafka checks before + after >= 0 at each call, so set the larger one first. */
    static JoinWindows joinWindows(long before, long after, long grace) {
        JoinWindows base = JoinWindows.ofTimeDifferenceAndGrace(Duration.ZERO, Duration.ofMillis(grace));
        return before >= after
                ? base.before(Duration.ofMillis(before)).after(Duration.ofMillis(after))
                : base.after(Duration.ofMillis(after)).before(Duration.ofMillis(before));
    }

    private Plan streamTableJoin(JsonNode topology) {
        StreamsBuilder builder = new StreamsBuilder();
        KStream<String, Object> left = builder.stream("left", Consumed.with(Serdes.String(), scalar));
        KTable<String, Object> right = builder.table("right", Consumed.with(Serdes.String(), scalar));
        Joined<String, Object, Object> joined = Joined.with(Serdes.String(), scalar, scalar);
        String join = required(topology, "join").asText();
        KStream<String, Object> out = switch (join) {
            case "inner" -> left.join(right, JOINER, joined);
            case "left" -> left.leftJoin(right, JOINER, joined);
            default -> throw new ScenarioException("unknown stream-table join " + join);
        };
        Capture updates = new Capture();
        out.process(updates.supplier());
        return new Plan(builder.build(), Map.of("updates", updates));
    }

    private Plan tableTableJoin(JsonNode topology) {
        StreamsBuilder builder = new StreamsBuilder();
        KTable<String, Object> left = builder.table("left", Consumed.with(Serdes.String(), scalar));
        KTable<String, Object> right = builder.table("right", Consumed.with(Serdes.String(), scalar));
        String join = required(topology, "join").asText();
        KTable<String, Object> out = switch (join) {
            case "inner" -> left.join(right, JOINER);
            case "left" -> left.leftJoin(right, JOINER);
            case "outer" -> left.outerJoin(right, JOINER);
            default -> throw new ScenarioException("unknown table-table join " + join);
        };
        Capture updates = new Capture();
        out.toStream().process(updates.supplier());
        return new Plan(builder.build(), Map.of("updates", updates));
    }

    /** A small multi-operator topology described in the scenario (see {@link ComposedTopology}). */
    private Plan composed(JsonNode topology) {
        StreamsBuilder builder = new StreamsBuilder();
        Map<String, Capture> outputs = ComposedTopology.build(builder, topology, scalar);
        return new Plan(builder.build(), outputs);
    }

    private static String aggregation(JsonNode topology) {
        String aggregation = required(topology, "aggregation").asText();
        if (!aggregation.equals("concat") && !aggregation.equals("count")) {
            throw new ScenarioException("unknown aggregation " + aggregation);
        }
        return aggregation;
    }

    private static JsonNode required(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new ScenarioException("missing field " + field);
        }
        return value;
    }
}
