import { type ChangeEvent, type KeyboardEvent, useEffect, useRef, useState } from "react";
import type { Parsed } from "../lib/syncSettings";

/**
 * A text field holding one saved setting, saved when the reader leaves it or presses Enter: its text is
 * parsed by the page's rule (a refusal is shown at the field and nothing is sent), an unchanged value is
 * not sent, and Enter then leaving the field is one change, one save. The text follows the saved value
 * whenever that changes (the server's answer, another tab).
 */
export function useTextFieldCommit<T>({
  saved,
  parse,
  format,
  save,
}: {
  saved: T;
  parse: (text: string) => Parsed<T>;
  format: (value: T) => string;
  /** Sends the value; calls `failed` if the save did not go through, so the same value may be sent again. */
  save: (value: T, failed: () => void) => void;
}) {
  const [text, setText] = useState(format(saved));
  const [localError, setLocalError] = useState<string | null>(null);
  // The value last sent and not yet answered.
  const sent = useRef<{ value: T } | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: follows the saved value only; `format` is pure
  useEffect(() => {
    sent.current = null;
    setText(format(saved));
  }, [saved]);

  const commit = () => {
    const parsed = parse(text);
    if (!parsed.ok) {
      setLocalError(parsed.error);
      return;
    }
    setLocalError(null);
    if (parsed.value === (sent.current ? sent.current.value : saved)) return;
    sent.current = { value: parsed.value };
    save(parsed.value, () => {
      sent.current = null;
    });
  };

  return {
    localError,
    /** What the text input takes as it is: its value and the three events that edit and save it. */
    inputProps: {
      value: text,
      onChange: (event: ChangeEvent<HTMLInputElement>) => {
        setText(event.target.value);
        setLocalError(null);
      },
      onBlur: commit,
      onKeyDown: (event: KeyboardEvent<HTMLInputElement>) => {
        if (event.key === "Enter") {
          event.preventDefault();
          commit();
        }
      },
    },
  };
}
