package dev.tributary.bench;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.common.utils.Bytes;

/**
 * W2 on a broker: clicks grouped by page, 5-minute tumbling windows, "count,sum" of dwell seconds, emitted on update
 * or on window close. Args: brokers input output applicationId guarantee update|final. The record cache is off
 * (statestore.cache.max.bytes=0) so that every update is emitted, as Tributary does.
 */
public final class ClickWindowStreamsApp {
  public static void main(String[] args) throws Exception {
    String brokers = args[0], input = args[1], output = args[2], appId = args[3], guarantee = args[4];
    boolean fin = "final".equals(args[5]);
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(input, Consumed.with(Serdes.String(), Serdes.String()))
        .groupBy((k, v) -> ClickTransform.parse(v).get("page").asText(), Grouped.with(Serdes.String(), Serdes.String()))
        .windowedBy(TimeWindows.ofSizeWithNoGrace(Duration.ofMinutes(5)))
        .emitStrategy(fin ? EmitStrategy.onWindowClose() : EmitStrategy.onWindowUpdate())
        .aggregate(() -> "0,0", (page, v, agg) -> {
          int comma = agg.indexOf(',');
          long secs = ClickTransform.parse(v).get("ms").asLong() / 1000;
          return (Long.parseLong(agg.substring(0, comma)) + 1) + "," + (Long.parseLong(agg.substring(comma + 1)) + secs);
        // Retention of a day, not the default window size + grace: emit-on-close looks for closed windows at most
        // once per wall-clock second, and while a backlog moves stream time hours ahead in that second, segments
        // older than size + grace are dropped before their windows are emitted (seen: 3.5k of 18.8k windows).
        }, Materialized.<String, String, WindowStore<Bytes, byte[]>>with(Serdes.String(), Serdes.String()).withRetention(Duration.ofDays(1)))
        .toStream()
        .map((k, v) -> KeyValue.pair(k.key() + "@" + k.window().start(), v))
        .to(output, Produced.with(Serdes.String(), Serdes.String()));
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "exactly_once".equals(guarantee) ? StreamsConfig.EXACTLY_ONCE_V2 : StreamsConfig.AT_LEAST_ONCE);
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0L);
    props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/tributary-bench-" + appId);
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    KafkaStreams streams = new KafkaStreams(builder.build(), props);
    CountDownLatch done = new CountDownLatch(1);
    streams.setStateListener((now, before) -> {
      System.out.println("STATE " + now);
      System.out.flush();
      if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) done.countDown();
    });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      streams.close();
      done.countDown();
    }));
    streams.start();
    done.await();
  }
}
