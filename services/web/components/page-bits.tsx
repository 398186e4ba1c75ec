/** A message carried across a form's 303 redirect. Plain text; escaped when shown. */
export interface FlashMessage {
  kind: 'ok' | 'error';
  text: string;
  /** A link to follow next (the platform's sign-in page when connecting); http(s) only. */
  link?: string | undefined;
}

/** The message a form's redirect carried: ok as a status, an error as an alert. */
export function Flash({ flash }: { flash?: FlashMessage | null | undefined }): JSX.Element {
  if (!flash) return '';
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
