package dev.tributary.bench;

import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;

/**
 * W2 through Kafka Streams' TopologyTestDriver: clicks grouped by page, 5-minute tumbling windows, "count,sum" of
 * dwell seconds, emitted on update or on window close. Args: input file, update|final, event-time step (ms). Same output line as
 * bench/contenders/w2-tributary.ts (see bench/lib/windowed.ts for what is hashed).
 */
public final class ClickWindowDriverRun {
  public static void main(String[] args) throws Exception {
    boolean fin = "final".equals(args[1]);
    long stepMs = Long.parseLong(args[2]);
    List<String[]> input = new ArrayList<>();
    try (BufferedReader reader = Files.newBufferedReader(Path.of(args[0]), StandardCharsets.UTF_8)) {
      for (String line; (line = reader.readLine()) != null; ) {
        int tab = line.indexOf('\t');
        input.add(new String[] {line.substring(0, tab), line.substring(tab + 1)});
      }
    }
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream("clicks", Consumed.with(Serdes.String(), Serdes.String()))
        .groupBy((k, v) -> ClickTransform.parse(v).get("page").asText(), Grouped.with(Serdes.String(), Serdes.String()))
        .windowedBy(TimeWindows.ofSizeWithNoGrace(Duration.ofMinutes(5)))
        .emitStrategy(fin ? EmitStrategy.onWindowClose() : EmitStrategy.onWindowUpdate())
        .aggregate(() -> "0,0", (page, v, agg) -> {
          int comma = agg.indexOf(',');
          long secs = ClickTransform.parse(v).get("ms").asLong() / 1000;
          return (Long.parseLong(agg.substring(0, comma)) + 1) + "," + (Long.parseLong(agg.substring(comma + 1)) + secs);
        }, Materialized.with(Serdes.String(), Serdes.String()))
        .toStream()
        .map((k, v) -> KeyValue.pair(k.key() + "@" + k.window().start(), v))
        .to("out", Produced.with(Serdes.String(), Serdes.String()));
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench-w2");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    long started = System.nanoTime();
    List<KeyValue<String, String>> out;
    try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), props)) {
      TestInputTopic<String, String> in = driver.createInputTopic("clicks", Serdes.String().serializer(), Serdes.String().serializer());
      TestOutputTopic<String, String> output = driver.createOutputTopic("out", Serdes.String().deserializer(), Serdes.String().deserializer());
      long i = 0;
      for (String[] record : input) in.pipeInput(record[0], record[1], (i++) * stepMs);
      out = output.readKeyValuesToList();
    }
    long elapsedNanos = System.nanoTime() - started;
    List<String> lines = new ArrayList<>();
    if (fin) {
      for (KeyValue<String, String> kv : out) lines.add(kv.key + "\t" + kv.value);
    } else {
      Map<String, String> last = new LinkedHashMap<>();
      for (KeyValue<String, String> kv : out) last.put(kv.key, kv.value);
      for (Map.Entry<String, String> e : last.entrySet()) lines.add(e.getKey() + "\t" + e.getValue());
    }
    lines.sort(null);
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    sha.update(String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
    System.out.println("{\"records\":" + input.size() + ",\"outputs\":" + out.size() + ",\"ms\":" + (elapsedNanos / 1e6)
        + ",\"sha256\":\"" + HexFormat.of().formatHex(sha.digest()) + "\",\"rss\":" + ClickTestDriverRun.peakRss() + "}");
  }
}
