/**
 * The update pair every KTable node forwards: the new value (null = delete) and, when some downstream
 * operator asked for old values, the previous value (otherwise null).
 */
export class Change<V> {
  constructor(
    readonly newValue: V | null,
    readonly oldValue: V | null,
  ) {}
}
