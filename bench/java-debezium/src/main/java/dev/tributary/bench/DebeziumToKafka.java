package dev.tributary.bench;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * W5 contender: Debezium's PostgreSQL connector in the embedded engine, its JsonConverter events written to Kafka by
 * a producer; a batch is marked processed only after the producer flushed it (at-least-once, as Kafka Connect).
 * Args: host port db user password slot publication table topicPrefix brokers.
 */
public final class DebeziumToKafka {
  public static void main(String[] args) throws Exception {
    Properties props = new Properties();
    props.setProperty("name", "tributary-bench-debezium");
    props.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
    props.setProperty("offset.storage", "org.apache.kafka.connect.storage.MemoryOffsetBackingStore");
    props.setProperty("offset.flush.interval.ms", "1000");
    props.setProperty("database.hostname", args[0]);
    props.setProperty("database.port", args[1]);
    props.setProperty("database.dbname", args[2]);
    props.setProperty("database.user", args[3]);
    props.setProperty("database.password", args[4]);
    props.setProperty("plugin.name", "pgoutput");
    props.setProperty("slot.name", args[5]);
    props.setProperty("publication.name", args[6]);
    props.setProperty("publication.autocreate.mode", "disabled");
    props.setProperty("table.include.list", args[7]);
    props.setProperty("topic.prefix", args[8]);
    props.setProperty("snapshot.mode", "no_data");

    Properties producerProps = new Properties();
    producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args[9]);
    producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
    producerProps.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    producerProps.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
    KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer());

    DebeziumEngine<ChangeEvent<String, String>> engine = DebeziumEngine.create(Json.class)
        .using(props)
        .using(new DebeziumEngine.ConnectorCallback() {
          @Override
          public void pollingStarted() {
            System.out.println("READY");
            System.out.flush();
          }
        })
        .using((success, message, error) -> {
          if (!success) {
            System.out.println("ERROR " + message + (error == null ? "" : ": " + error));
            System.out.flush();
          }
        })
        .notifying((records, committer) -> {
          for (ChangeEvent<String, String> event : records) {
            producer.send(new ProducerRecord<>(event.destination(), event.key(), event.value()));
          }
          producer.flush();
          for (ChangeEvent<String, String> event : records) committer.markProcessed(event);
          committer.markBatchFinished();
        })
        .build();
    ExecutorService executor = Executors.newSingleThreadExecutor();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        engine.close();
        producer.close();
      } catch (Exception ignored) {
        // Exiting anyway.
      }
    }));
    executor.execute(engine);
  }
}
