/** One thing wrong with a form: the field's `name` (null: the form as a whole) and what to fix. */
export interface FieldError {
  field: string | null;
  text: string;
}

/** A message carried across a form's 303 redirect. Plain text; escaped when shown. */
export interface FlashMessage {
  kind: 'ok' | 'error';
  text: string;
  /** A link to follow next (the platform's sign-in page when connecting); http(s) only. */
  link?: string | undefined;
  /**
   * A form's validation errors: shown as the GOV.UK error summary and messages by the page kit
   * (components/form-errors.tsx), in place of this flash.
   */
  errors?: FieldError[] | undefined;
  /** The address the form posted to, so the messages go on that form's fields. */
  form?: string | undefined;
  /** The key of what was typed in the refused form, kept for its page to put back (page-kit.ts). */
  values?: string | undefined;
}

/** The message a form's redirect carried: ok as a status, an error as an alert. */
export function Flash({ flash }: { flash?: FlashMessage | null | undefined }): JSX.Element {
  if (!flash) return '';
  // A form's validation errors are the error summary at the top of the page (form-errors.tsx).
  if (flash.errors?.length) return '';
  if (flash.kind === 'error') {
    return (
      <p class="flash flash-error" role="alert" safe>
        {flash.text}
      </p>
    );
  }
  const link = flash.link && /^https?:\/\//.test(flash.link) ? flash.link : null;
  return (
    <p class="flash flash-ok" role="status">
      <span safe>{flash.text}</span>
      {link ? (
        <>
          {' '}
          <a class="button-link" href={link}>
            Continue to the platform
          </a>
        </>
      ) : (
        ''
      )}
    </p>
  );
}

/** Public text cut to a listing's length; the comment page shows the rest. */
export function excerptOf(text: string, max = 280): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

let fieldSeq = 0;
/** A unique id for a form control, so every label's `for` points at its own control. */
export function fieldId(prefix: string): string {
  fieldSeq = (fieldSeq + 1) % 1_000_000;
  return `${prefix}-${fieldSeq}`;
}
