package dev.tributary.bench;

import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Produced;

/**
 * W4 join: W3's topology through Kafka Streams' TopologyTestDriver. Args: input file ("topic\tkey\tvalue\ttimestamp"
 * lines, topic c or p), grace (ms). Same output line as bench/contenders/w4-join-tributary.ts.
 */
public final class ClickJoinDriverRun {
  public static void main(String[] args) throws Exception {
    List<String[]> input = new ArrayList<>();
    try (BufferedReader reader = Files.newBufferedReader(Path.of(args[0]), StandardCharsets.UTF_8)) {
      for (String line; (line = reader.readLine()) != null; ) {
        if (!line.isEmpty()) input.add(line.split("\t", 4));
      }
    }
    long graceMs = Long.parseLong(args[1]);
    StreamsBuilder builder = new StreamsBuilder();
    ClickPurchaseJoin.build(builder, "clicks", "purchases", graceMs).to("out", Produced.with(Serdes.String(), Serdes.String()));
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench-w4-join");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    long started = System.nanoTime();
    List<KeyValue<String, String>> out;
    try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), props)) {
      TestInputTopic<String, String> clicks = driver.createInputTopic("clicks", Serdes.String().serializer(), Serdes.String().serializer());
      TestInputTopic<String, String> purchases = driver.createInputTopic("purchases", Serdes.String().serializer(), Serdes.String().serializer());
      TestOutputTopic<String, String> output = driver.createOutputTopic("out", Serdes.String().deserializer(), Serdes.String().deserializer());
      for (String[] r : input) {
        // Non-joined results are emitted at most once per wall-clock second: move the clock before the closing record.
        if (r[1].startsWith("~")) driver.advanceWallClockTime(Duration.ofSeconds(2));
        ("c".equals(r[0]) ? clicks : purchases).pipeInput(r[1], r[2], Long.parseLong(r[3]));
      }
      out = output.readKeyValuesToList();
    }
    long elapsedNanos = System.nanoTime() - started;
    List<String> lines = new ArrayList<>();
    for (KeyValue<String, String> kv : out) lines.add(kv.key + "\t" + kv.value);
    lines.sort(null);
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    sha.update(String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
    System.out.println("{\"records\":" + input.size() + ",\"outputs\":" + out.size() + ",\"ms\":" + (elapsedNanos / 1e6)
        + ",\"sha256\":\"" + HexFormat.of().formatHex(sha.digest()) + "\",\"rss\":" + ClickTestDriverRun.peakRss() + "}");
  }
}
