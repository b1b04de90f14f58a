import { InvalidHistoryInputError } from "../errors.ts";

/** Largest code a `Uint16Array` column can hold; code 0 means "absent". */
const MAX_CODE = 0xffff;

/** Maps the few distinct status strings to small integer codes (1..65535) so columns stay `Uint16Array`s. */
export class StringInterner {
  readonly #codes = new Map<string, number>();
  readonly #strings: string[] = [""];
  #bytes = 0;

  /** Code of `value`, assigning the next free code on first sight. */
  intern(value: string): number {
    const known = this.#codes.get(value);
    if (known !== undefined) return known;
    const code = this.#strings.length;
    if (code > MAX_CODE) {
      throw new InvalidHistoryInputError(
        `more than ${MAX_CODE} distinct status strings; refusing "${value}"`,
      );
    }
    this.#codes.set(value, code);
    this.#strings.push(value);
    this.#bytes += 64 + value.length * 2;
    return code;
  }

  /** The string for a code previously returned by {@link intern}. */
  lookup(code: number): string {
    return this.#strings[code] ?? "";
  }

  /** Approximate memory held (strings plus map entries). */
  get bytes(): number {
    return this.#bytes;
  }
}
