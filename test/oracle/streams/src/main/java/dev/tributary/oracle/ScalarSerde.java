package dev.tributary.oracle;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Value serde for scenario values: a String, a Long (scenarios whose source test uses longs), or null (a tombstone).
 * Values are never compared by their bytes in Kafka Streams (only keys are), so a one-byte type tag is enough to let
 * string and number values share one topology, as the shared scenarios do (e.g. string left and long right join sides).
 */
public final class ScalarSerde implements Serde<Object> {
    private static final byte STRING = 'S';
    private static final byte LONG = 'L';

    @Override
    public Serializer<Object> serializer() {
        return (topic, value) -> {
            if (value == null) {
                return null;
            }
            if (value instanceof Long l) {
                return ByteBuffer.allocate(9).put(LONG).putLong(l).array();
            }
            if (value instanceof String s) {
                byte[] text = s.getBytes(StandardCharsets.UTF_8);
                return ByteBuffer.allocate(1 + text.length).put(STRING).put(text).array();
            }
            throw new SerializationException("unsupported scenario value type " + value.getClass().getName());
        };
    }

    @Override
    public Deserializer<Object> deserializer() {
        return (topic, data) -> {
            if (data == null) {
                return null;
            }
            if (data.length == 0) {
                throw new SerializationException("empty scenario value bytes on topic " + topic);
            }
            ByteBuffer buffer = ByteBuffer.wrap(data);
            byte tag = buffer.get();
            if (tag == LONG) {
                return buffer.getLong();
            }
            if (tag == STRING) {
                return new String(data, 1, data.length - 1, StandardCharsets.UTF_8);
            }
            throw new SerializationException("unknown scenario value tag " + tag + " on topic " + topic);
        };
    }
}
