package dev.tributary.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.StreamJoined;
import org.apache.kafka.streams.StreamsBuilder;

/** W3: clicks left-join purchases by user within 30 minutes; the joiner is byte for byte bench/lib/join.ts. */
final class ClickPurchaseJoin {
  private ClickPurchaseJoin() {}

  static String join(String click, String purchase) {
    JsonNode c = ClickTransform.parse(click);
    if (purchase == null) {
      return "{\"click\":" + c.get("id").asLong() + ",\"purchase\":null,\"page\":\"" + c.get("page").asText() + "\",\"amount\":null}";
    }
    JsonNode p = ClickTransform.parse(purchase);
    return "{\"click\":" + c.get("id").asLong() + ",\"purchase\":" + p.get("id").asLong() + ",\"page\":\"" + c.get("page").asText()
        + "\",\"amount\":" + p.get("amount").asLong() + "}";
  }

  /** The joined stream of `clicks` left-join `purchases`, with the given grace. */
  static KStream<String, String> build(StreamsBuilder builder, String clicks, String purchases, long graceMs) {
    KStream<String, String> purchaseStream = builder.stream(purchases, Consumed.with(Serdes.String(), Serdes.String()));
    return builder.stream(clicks, Consumed.with(Serdes.String(), Serdes.String()))
        .leftJoin(purchaseStream, ClickPurchaseJoin::join,
            JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMinutes(30), Duration.ofMillis(graceMs)),
            StreamJoined.with(Serdes.String(), Serdes.String(), Serdes.String()));
  }
}
