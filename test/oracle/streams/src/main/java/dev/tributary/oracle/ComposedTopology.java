package dev.tributary.oracle;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.SessionWindows;
import org.apache.kafka.streams.kstream.SlidingWindows;
import org.apache.kafka.streams.kstream.Joined;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Predicate;
import org.apache.kafka.streams.kstream.StreamJoined;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.ValueJoiner;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The {@code composed} kind: a small multi-operator topology listed in the scenario ({@code topology.nodes}, evaluated
 * in order; {@code topology.sinks} maps output names to node ids). The operators and their fixed functions are those
 * of test/conformance/composed-kinds.ts, which builds the same topology on Tributary.
 */
final class ComposedTopology {
    private ComposedTopology() {}

    private static final ValueJoiner<Object, Object, Object> JOINER =
            (left, right) -> String.valueOf(left) + "+" + String.valueOf(right);

    /** The selectKey rule: the value's text up to its first ':', null without a value or a ':'. */
    static String keyOfValue(Object value) {
        if (value == null) {
            return null;
        }
        String s = value.toString();
        int i = s.indexOf(':');
        return i < 0 ? null : s.substring(0, i);
    }

    static Map<String, Capture> build(StreamsBuilder builder, JsonNode topology, ScalarSerde scalar) {
        Map<String, Object> handles = new HashMap<>();
        for (JsonNode node : topology.path("nodes")) {
            String id = text(node, "id");
            String op = text(node, "op");
            Object from = node.has("from") ? handle(handles, text(node, "from")) : null;
            Object made = switch (op) {
                case "stream" -> builder.stream(text(node, "topic"), Consumed.with(Serdes.String(), scalar));
                case "table" -> node.path("materialized").asBoolean(false)
                        ? builder.table(text(node, "topic"), Consumed.with(Serdes.String(), (org.apache.kafka.common.serialization.Serde<Object>) scalar),
                                Materialized.<String, Object, KeyValueStore<Bytes, byte[]>>as(id + "-store")
                                        .withKeySerde(Serdes.String()).withValueSerde(scalar))
                        : builder.table(text(node, "topic"), Consumed.with(Serdes.String(), scalar));
                case "globalTable" -> builder.globalTable(text(node, "topic"), Consumed.with(Serdes.String(), scalar),
                        Materialized.<String, Object, KeyValueStore<Bytes, byte[]>>as(id + "-store")
                                .withKeySerde(Serdes.String()).withValueSerde(scalar));
                case "selectKey" -> stream(from, id).selectKey((k, v) -> (Object) keyOfValue(v));
                case "filter" -> filter(node, id, from, scalar);
                case "mapValues" -> mapValues(node, id, from, scalar);
                case "join", "leftJoin", "outerJoin" -> join(node, op, id, from, handle(handles, text(node, "other")), scalar);
                case "aggregate" -> stream(from, id)
                        .groupByKey(grouped(scalar))
                        .aggregate(() -> (Object) "0", (k, v, agg) -> agg + "+" + v, store2(scalar));
                case "regroupCount" -> table(from, id)
                        .groupBy((k, v) -> KeyValue.pair((Object) String.valueOf(v), v), grouped(scalar))
                        .count();
                case "windowedAggregate" -> windowedAggregate(node, stream(from, id), scalar);
                case "suppress" -> table(from, id).suppress(node.path("untilWindowCloses").asBoolean(false)
                        ? (Suppressed) Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded())
                        : Suppressed.untilTimeLimit(Duration.ofMillis(node.path("timeLimit").asLong()),
                                Suppressed.BufferConfig.unbounded()));
                default -> throw new ScenarioRunner.ScenarioException("unknown composed op " + op);
            };
            handles.put(id, made);
        }
        Map<String, Capture> outputs = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> sinks = topology.path("sinks").fields();
        while (sinks.hasNext()) {
            Map.Entry<String, JsonNode> sink = sinks.next();
            Object handle = handle(handles, sink.getValue().asText());
            Capture capture = new Capture();
            KStream<?, ?> stream = handle instanceof KTable<?, ?> t ? t.toStream() : stream(handle, sink.getKey());
            @SuppressWarnings({"unchecked", "rawtypes"})
            KStream<Object, Object> raw = (KStream) stream;
            raw.process(capture.supplier());
            outputs.put(sink.getKey(), capture);
        }
        return outputs;
    }

    /** groupByKey, then "0" and agg + "+" + v in tumbling (default), sliding or session windows (merger a + b). */
    private static Object windowedAggregate(JsonNode node, KStream<Object, Object> stream, ScalarSerde scalar) {
        KGroupedStream<Object, Object> grouped = stream.groupByKey(grouped(scalar));
        Duration grace = Duration.ofMillis(node.path("grace").asLong(0));
        String type = node.path("type").asText("time");
        return switch (type) {
            case "session" -> grouped.windowedBy(SessionWindows.ofInactivityGapAndGrace(Duration.ofMillis(node.path("gap").asLong()), grace))
                    .aggregate(() -> (Object) "0", (k, v, agg) -> agg + "+" + v, (k, a, b) -> String.valueOf(a) + b, store2(scalar));
            case "sliding" -> grouped.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(node.path("difference").asLong()), grace))
                    .aggregate(() -> (Object) "0", (k, v, agg) -> agg + "+" + v, store2(scalar));
            case "time" -> grouped.windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(node.path("size").asLong()), grace))
                    .aggregate(() -> (Object) "0", (k, v, agg) -> agg + "+" + v, store2(scalar));
            default -> throw new ScenarioRunner.ScenarioException("unknown window type " + type);
        };
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Grouped<Object, Object> grouped(ScalarSerde scalar) {
        return (Grouped) Grouped.with(Serdes.String(), scalar);
    }

    private static Predicate<Object, Object> predicate(JsonNode node, String id) {
        if (node.hasNonNull("contains")) {
            String needle = node.get("contains").asText();
            return (k, v) -> String.valueOf(v).contains(needle);
        }
        if (node.hasNonNull("notContains")) {
            String needle = node.get("notContains").asText();
            return (k, v) -> !String.valueOf(v).contains(needle);
        }
        throw new ScenarioRunner.ScenarioException("filter " + id + " needs contains or notContains");
    }

    private static Materialized<Object, Object, KeyValueStore<Bytes, byte[]>> store(String id, ScalarSerde scalar) {
        @SuppressWarnings({"unchecked", "rawtypes"})
        Materialized<Object, Object, KeyValueStore<Bytes, byte[]>> m = (Materialized) Materialized
                .<String, Object, KeyValueStore<Bytes, byte[]>>as(id + "-store")
                .withKeySerde(Serdes.String()).withValueSerde(scalar);
        return m;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static <S extends org.apache.kafka.streams.processor.StateStore> Materialized<Object, Object, S> store2(ScalarSerde scalar) {
        return (Materialized) Materialized.with(Serdes.String(), scalar);
    }

    private static Object filter(JsonNode node, String id, Object from, ScalarSerde scalar) {
        Predicate<Object, Object> p = predicate(node, id);
        if (from instanceof KTable<?, ?>) {
            KTable<Object, Object> t = table(from, id);
            return node.path("materialized").asBoolean(false) ? t.filter(p, store(id, scalar)) : t.filter(p);
        }
        return stream(from, id).filter(p);
    }

    private static Object mapValues(JsonNode node, String id, Object from, ScalarSerde scalar) {
        String suffix = node.path("suffix").asText("");
        if (from instanceof KTable<?, ?>) {
            KTable<Object, Object> t = table(from, id);
            return node.path("materialized").asBoolean(false)
                    ? t.mapValues(v -> (Object) (v + suffix), store(id, scalar))
                    : t.mapValues(v -> (Object) (v + suffix));
        }
        return stream(from, id).mapValues(v -> (Object) (v + suffix));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object join(JsonNode node, String op, String id, Object left, Object right, ScalarSerde scalar) {
        if (left instanceof KStream<?, ?> && right instanceof KStream<?, ?>) {
            JsonNode w = node.get("window");
            if (w == null) {
                throw new ScenarioRunner.ScenarioException("stream-stream " + op + " " + id + " needs a window");
            }
            JoinWindows windows = ScenarioRunner.joinWindows(w.path("before").asLong(), w.path("after").asLong(), w.path("grace").asLong(0));
            StreamJoined<Object, Object, Object> joined = (StreamJoined) StreamJoined.with(Serdes.String(), scalar, scalar);
            KStream<Object, Object> l = stream(left, id);
            KStream<Object, Object> r = stream(right, id);
            return switch (op) {
                case "join" -> l.join(r, JOINER, windows, joined);
                case "leftJoin" -> l.leftJoin(r, JOINER, windows, joined);
                default -> l.outerJoin(r, JOINER, windows, joined);
            };
        }
        if (left instanceof KStream<?, ?> && right instanceof KTable<?, ?>) {
            Joined<Object, Object, Object> joined = (Joined) Joined.with(Serdes.String(), scalar, scalar);
            KStream<Object, Object> l = stream(left, id);
            KTable<Object, Object> r = table(right, id);
            return switch (op) {
                case "join" -> l.join(r, JOINER, joined);
                case "leftJoin" -> l.leftJoin(r, JOINER, joined);
                default -> throw new ScenarioRunner.ScenarioException("a stream-table join is inner or left");
            };
        }
        if (left instanceof KStream<?, ?> && right instanceof GlobalKTable<?, ?>) {
            KStream<Object, Object> l = stream(left, id);
            GlobalKTable<Object, Object> r = (GlobalKTable) right;
            return switch (op) {
                case "join" -> l.join(r, (k, v) -> keyOfValue(v), JOINER);
                case "leftJoin" -> l.leftJoin(r, (k, v) -> keyOfValue(v), JOINER);
                default -> throw new ScenarioRunner.ScenarioException("a stream-globalTable join is inner or left");
            };
        }
        if (left instanceof KTable<?, ?> && right instanceof KTable<?, ?>) {
            KTable<Object, Object> l = table(left, id);
            KTable<Object, Object> r = table(right, id);
            return switch (op) {
                case "join" -> l.join(r, JOINER);
                case "leftJoin" -> l.leftJoin(r, JOINER);
                default -> l.outerJoin(r, JOINER);
            };
        }
        throw new ScenarioRunner.ScenarioException(op + " " + id + ": unsupported sides");
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static KStream<Object, Object> stream(Object handle, String id) {
        if (handle instanceof KStream<?, ?> s) {
            return (KStream) s;
        }
        throw new ScenarioRunner.ScenarioException(id + " needs a stream");
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static KTable<Object, Object> table(Object handle, String id) {
        if (handle instanceof KTable<?, ?> t) {
            return (KTable) t;
        }
        throw new ScenarioRunner.ScenarioException(id + " needs a table");
    }

    private static Object handle(Map<String, Object> handles, String id) {
        Object h = handles.get(id);
        if (h == null) {
            throw new ScenarioRunner.ScenarioException("unknown node " + id);
        }
        return h;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new ScenarioRunner.ScenarioException("missing field " + field);
        }
        return value.asText();
    }
}
