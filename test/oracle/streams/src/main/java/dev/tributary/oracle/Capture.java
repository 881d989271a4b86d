package dev.tributary.oracle;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Terminal processor that records what reaches it (key, window, value, timestamp) exactly as a sink would write it,
 * without going through serdes: a named output of a scenario.
 */
public final class Capture {
    /** One emitted record; {@code windowStart}/{@code windowEnd} are null for non-windowed keys. */
    public record Emitted(Object key, Long windowStart, Long windowEnd, Object value, long ts) {}

    private final List<Emitted> records = new ArrayList<>();

    public ProcessorSupplier<Object, Object, Void, Void> supplier() {
        return () -> new Processor<>() {
            @Override
            public void process(Record<Object, Object> record) {
                Object key = record.key();
                if (key instanceof Windowed<?> windowed) {
                    records.add(new Emitted(windowed.key(), windowed.window().start(), windowed.window().end(),
                            record.value(), record.timestamp()));
                } else {
                    records.add(new Emitted(key, null, null, record.value(), record.timestamp()));
                }
            }
        };
    }

    /** Returns the records captured since the previous call and forgets them. */
    public List<Emitted> drain() {
        List<Emitted> out = new ArrayList<>(records);
        records.clear();
        return out;
    }
}
