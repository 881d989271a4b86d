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
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.TimeWindowedKStream;
import org.apache.kafka.streams.kstream.SessionWindowedKStream;
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
                case "aggregate" -> aggregate(node, group(node, stream(from, id), scalar), scalar);
                case "regroupCount" -> regroup(node, table(from, id), scalar);
                case "windowedAggregate" -> windowedAggregate(node, group(node, stream(from, id), scalar), scalar);
                case "merge" -> stream(from, id).merge(stream(handle(handles, text(node, "other")), id));
                case "branch" -> branch(node, id, stream(from, id));
                case "repartition" -> stream(from, id).repartition((Repartitioned) Repartitioned.with(Serdes.String(), scalar));
                case "toStream" -> table(from, id).toStream();
                // Each input grouped under its own name: two unnamed repartitions of one cogroup would clash.
                case "cogroup" -> group(node, stream(from, id), scalar, id + "-left")
                        .cogroup((k, v, agg) -> (Object) (agg + "+" + v))
                        .cogroup(group(node, stream(handle(handles, text(node, "other")), id), scalar, id + "-right"), (k, v, agg) -> (Object) (agg + "*" + v))
                        .aggregate(() -> (Object) "0", store2(scalar));
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

    /** groupByKey, or with {@code groupBy: true} groupBy the selectKey rule (a repartition; null keys are dropped). */
    private static KGroupedStream<Object, Object> group(JsonNode node, KStream<Object, Object> stream, ScalarSerde scalar) {
        return group(node, stream, scalar, null);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static KGroupedStream<Object, Object> group(JsonNode node, KStream<Object, Object> stream, ScalarSerde scalar, String name) {
        Grouped<Object, Object> g = name == null ? grouped(scalar) : (Grouped) Grouped.with(name, Serdes.String(), scalar);
        return node.path("groupBy").asBoolean(false)
                ? stream.groupBy((k, v) -> (Object) keyOfValue(v), g)
                : stream.groupByKey(g);
    }

    /** {@code agg}: "aggregate" (default: "0" then agg + "+" + v), "count", or "reduce" (a + "+" + b). */
    private static Object aggregate(JsonNode node, KGroupedStream<Object, Object> grouped, ScalarSerde scalar) {
        return switch (node.path("agg").asText("aggregate")) {
            case "count" -> grouped.count();
            case "reduce" -> grouped.reduce((a, b) -> (Object) (a + "+" + b), store2(scalar));
            default -> grouped.aggregate(() -> (Object) "0", (k, v, agg) -> agg + "+" + v, store2(scalar));
        };
    }

    /** A table's groupBy (new key: the value's text) then count, or {@code agg: "aggregate"}: "0", adder + v, subtractor - v. */
    private static Object regroup(JsonNode node, KTable<Object, Object> table, ScalarSerde scalar) {
        var grouped = table.groupBy((k, v) -> KeyValue.pair((Object) String.valueOf(v), v), grouped(scalar));
        return node.path("agg").asText("count").equals("aggregate")
                ? grouped.aggregate(() -> (Object) "0", (k, v, agg) -> agg + "+" + v, (k, v, agg) -> agg + "-" + v, store2(scalar))
                : grouped.count();
    }

    /** split() with one branch (values containing {@code contains}) and a default branch; {@code take: "default"} picks the latter. */
    private static Object branch(JsonNode node, String id, KStream<Object, Object> stream) {
        String needle = text(node, "contains");
        Map<String, KStream<Object, Object>> branches = stream.split(Named.as(id + "-"))
                .branch((k, v) -> String.valueOf(v).contains(needle), Branched.as("match"))
                .defaultBranch(Branched.as("default"));
        return branches.get(id + "-" + node.path("take").asText("match"));
    }

    /**
     * The grouped stream in tumbling / hopping ({@code advance}, default size), sliding or session windows; {@code agg}
     * as for aggregate (session merger a + b); {@code emit: "final"} is emitStrategy(onWindowClose()).
     */
    private static Object windowedAggregate(JsonNode node, KGroupedStream<Object, Object> grouped, ScalarSerde scalar) {
        Duration grace = Duration.ofMillis(node.path("grace").asLong(0));
        String type = node.path("type").asText("time");
        boolean fin = node.path("emit").asText("update").equals("final");
        String agg = node.path("agg").asText("aggregate");
        if (type.equals("session")) {
            SessionWindowedKStream<Object, Object> w = grouped.windowedBy(SessionWindows.ofInactivityGapAndGrace(Duration.ofMillis(node.path("gap").asLong()), grace));
            if (fin) {
                w = w.emitStrategy(EmitStrategy.onWindowClose());
            }
            return switch (agg) {
                case "count" -> w.count();
                case "reduce" -> w.reduce((a, b) -> (Object) (a + "+" + b), store2(scalar));
                default -> w.aggregate(() -> (Object) "0", (k, v, a) -> a + "+" + v, (k, a, b) -> String.valueOf(a) + b, store2(scalar));
            };
        }
        TimeWindowedKStream<Object, Object> w = switch (type) {
            case "sliding" -> grouped.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(node.path("difference").asLong()), grace));
            case "time" -> {
                long size = node.path("size").asLong();
                yield grouped.windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(size), grace).advanceBy(Duration.ofMillis(node.path("advance").asLong(size))));
            }
            default -> throw new ScenarioRunner.ScenarioException("unknown window type " + type);
        };
        if (fin) {
            w = w.emitStrategy(EmitStrategy.onWindowClose());
        }
        return switch (agg) {
            case "count" -> w.count();
            case "reduce" -> w.reduce((a, b) -> (Object) (a + "+" + b), store2(scalar));
            default -> w.aggregate(() -> (Object) "0", (k, v, a) -> a + "+" + v, store2(scalar));
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
