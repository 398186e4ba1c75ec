/** Who is acting: a signed-in person, or the system (a job, the classifier, a timer). */
export type Actor =
  | { type: 'user'; id: string; label: string }
  | { type: 'system'; id: string | null; label: string };

export const systemActor = (label: string): Actor => ({ type: 'system', id: null, label });
