package dev.tributary.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The W1 topology's two functions, byte for byte the same as bench/workloads/clicks.ts. */
final class ClickTransform {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ClickTransform() {}

  static JsonNode parse(String value) {
    try {
      return MAPPER.readTree(value);
    } catch (Exception e) {
      throw new IllegalArgumentException("not JSON: " + value, e);
    }
  }

  /** Scroll events are dropped. */
  static boolean keep(String value) {
    return !"scroll".equals(parse(value).get("action").asText());
  }

  static String project(String value) {
    JsonNode e = parse(value);
    return "{\"id\":" + e.get("id").asLong()
        + ",\"user\":\"" + e.get("user").asText()
        + "\",\"page\":\"" + e.get("page").asText()
        + "\",\"action\":\"" + e.get("action").asText()
        + "\",\"secs\":" + (e.get("ms").asLong() / 1000) + "}";
  }
}
