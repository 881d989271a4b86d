package dev.tributary.bench;

import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
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
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * W4: the W1 topology through Kafka Streams' TopologyTestDriver. Reads "key\tvalue" lines, times piping every
 * record and reading every output, prints one JSON line with the count, the time and the SHA-256 of the outputs.
 */
public final class ClickTestDriverRun {
  public static void main(String[] args) throws Exception {
    List<String[]> input = new ArrayList<>();
    try (BufferedReader reader = Files.newBufferedReader(Path.of(args[0]), StandardCharsets.UTF_8)) {
      for (String line; (line = reader.readLine()) != null; ) {
        int tab = line.indexOf('\t');
        input.add(new String[] {line.substring(0, tab), line.substring(tab + 1)});
      }
    }
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream("clicks", Consumed.with(Serdes.String(), Serdes.String()))
        .filter((k, v) -> ClickTransform.keep(v))
        .mapValues(ClickTransform::project)
        .to("out", Produced.with(Serdes.String(), Serdes.String()));
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench-w4");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    long started = System.nanoTime();
    List<KeyValue<String, String>> out;
    try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), props)) {
      TestInputTopic<String, String> in = driver.createInputTopic("clicks", Serdes.String().serializer(), Serdes.String().serializer());
      TestOutputTopic<String, String> output = driver.createOutputTopic("out", Serdes.String().deserializer(), Serdes.String().deserializer());
      long ts = 0;
      for (String[] record : input) in.pipeInput(record[0], record[1], ts++);
      out = output.readKeyValuesToList();
    }
    long elapsedNanos = System.nanoTime() - started;
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    for (KeyValue<String, String> kv : out) sha.update((kv.key + "\t" + kv.value + "\n").getBytes(StandardCharsets.UTF_8));
    System.out.println("{\"records\":" + input.size() + ",\"outputs\":" + out.size() + ",\"ms\":" + (elapsedNanos / 1e6)
        + ",\"sha256\":\"" + HexFormat.of().formatHex(sha.digest()) + "\",\"rss\":" + peakRss() + "}");
  }

  /** VmHWM of this process in bytes (0 where /proc is missing). */
  static long peakRss() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    } catch (Exception e) {
      return 0;
    }
    return 0;
  }
}
