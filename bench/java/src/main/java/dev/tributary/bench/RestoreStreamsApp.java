package dev.tributary.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * Restore: the grouped count "counts" of the restore workload, whose changelog {@code <appId>-counts-changelog} is
 * already filled; the state directory is empty, so the store is rebuilt from the changelog before RUNNING.
 * Args: brokers input applicationId stateDir store (rocksdb | memory). Prints one JSON line, closes and exits.
 */
public final class RestoreStreamsApp {
  public static void main(String[] args) throws Exception {
    String brokers = args[0], input = args[1], appId = args[2], stateDir = args[3], storeKind = args[4];
    StreamsBuilder builder = new StreamsBuilder();
    Materialized<String, Long, KeyValueStore<Bytes, byte[]>> store = "memory".equals(storeKind)
        ? Materialized.<String, Long>as(Stores.inMemoryKeyValueStore("counts"))
        : Materialized.<String, Long, KeyValueStore<Bytes, byte[]>>as("counts");
    builder.stream(input, Consumed.with(Serdes.String(), Serdes.String()))
        .groupByKey(Grouped.with(Serdes.String(), Serdes.String()))
        .count(store.withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()));
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
    KafkaStreams streams = new KafkaStreams(builder.build(), props);

    AtomicLong restoreStart = new AtomicLong(0), restoreEnd = new AtomicLong(0), restored = new AtomicLong(0);
    streams.setGlobalStateRestoreListener(new StateRestoreListener() {
      @Override
      public void onRestoreStart(TopicPartition partition, String storeName, long startOffset, long endOffset) {
        restoreStart.compareAndSet(0, System.nanoTime());
      }

      @Override
      public void onBatchRestored(TopicPartition partition, String storeName, long batchEndOffset, long numRestored) {}

      @Override
      public void onRestoreEnd(TopicPartition partition, String storeName, long totalRestored) {
        restored.addAndGet(totalRestored);
        restoreEnd.set(System.nanoTime());
      }
    });
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch failed = new CountDownLatch(1);
    streams.setStateListener((now, before) -> {
      if (now == KafkaStreams.State.RUNNING) running.countDown();
      if (now == KafkaStreams.State.ERROR) failed.countDown();
    });
    long started = System.nanoTime();
    streams.start();
    while (!running.await(100, TimeUnit.MILLISECONDS)) {
      if (failed.getCount() == 0) {
        System.out.println("ERROR streams entered state ERROR");
        System.exit(1);
      }
    }
    long startToRunningMs = (System.nanoTime() - started) / 1_000_000;

    long entries = 0, sum = 0;
    for (int attempt = 0; ; attempt++) {
      try {
        ReadOnlyKeyValueStore<String, Long> view = streams.store(StoreQueryParameters.fromNameAndType("counts", QueryableStoreTypes.keyValueStore()));
        entries = 0;
        sum = 0;
        try (KeyValueIterator<String, Long> all = view.all()) {
          while (all.hasNext()) {
            KeyValue<String, Long> entry = all.next();
            entries++;
            sum += entry.value;
          }
        }
        break;
      } catch (InvalidStateStoreException e) {
        // The store can still be migrating right after the RUNNING transition.
        if (attempt >= 100) throw e;
        Thread.sleep(100);
      }
    }
    long durationMs = restoreStart.get() == 0 ? 0 : (restoreEnd.get() - restoreStart.get()) / 1_000_000;
    System.out.println("{\"records\":" + restored.get() + ",\"durationMs\":" + durationMs + ",\"entries\":" + entries + ",\"sum\":" + sum
        + ",\"startToRunningMs\":" + startToRunningMs + ",\"rss\":" + peakRssBytes() + "}");
    System.out.flush();
    // Leaving the group lets the next contender of the shared application id join at once.
    streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP).withTimeout(Duration.ofSeconds(30)));
    System.exit(0);
  }

  private static long peakRssBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    } catch (Exception e) {
      // Peak RSS is also sampled from outside.
    }
    return 0;
  }
}
