// A topology module as a user writes it, in plain JavaScript: `tributary describe` and `tributary run`
// load its default export (a function returning the topology).
import { Serdes, StreamsBuilder } from 'tributary-streams';

export default function wordCount() {
  const builder = new StreamsBuilder();
  builder
    .stream('sentences', { key: Serdes.string(), value: Serdes.string() })
    .flatMapValues((sentence) => sentence.toLowerCase().split(/\W+/).filter((word) => word !== ''))
    .groupBy((_key, word) => word, { key: Serdes.string(), value: Serdes.string() })
    .count({ storeName: 'word-counts' })
    .toStream()
    .to('word-counts', { key: Serdes.string(), value: Serdes.long() });
  return builder.build();
}
