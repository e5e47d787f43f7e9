/**
 * The CRM's classifier: inbound text suggests a profile type by the words and phrases a
 * project's rules list for it. Each distinct term found counts (a phrase of several words
 * counts twice, being stronger evidence than one word), and confidence grows with the count:
 * 1 − ½^score, so one word gives 0.5, two words or a phrase 0.75, three words 0.875. Evidence
 * for another type takes confidence away in proportion, and a tie decides nothing.
 * Matching ignores case and accents and works on whole words.
 */

/** One profile type and the terms (words or phrases) that suggest it. */
export interface ClassifierRule {
  profile_type: string;
  terms: string[];
}

export interface ClassifierSettings {
  /** Confidence a suggestion needs to change a client's profile type (0 < t ≤ 1). */
  threshold: number;
  rules: ClassifierRule[];
}

export interface Classification {
  profileType: string;
  /** 0 to 1. */
  confidence: number;
  /** The terms found, as the rule writes them. */
  matched: string[];
  /** Another type the text also suggested, with its terms, when there was one. */
  competing?: { profileType: string; matched: string[] };
}

export type Verdict =
  | { apply: true; reason: 'above_threshold' }
  | { apply: false; reason: 'below_threshold' | 'set_by_hand' | 'unchanged' };

/** Lowercase words without accents: what both the text and the terms are compared as. */
export function words(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

function contains(haystack: string[], needle: string[]): boolean {
  if (needle.length === 0 || needle.length > haystack.length) return false;
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/**
 * The profile type `text` suggests under `rules`, or null when no term is found.
 *
 * @example
 * classify('I applied for asylum and refugee status', [
 *   { profile_type: 'asylum', terms: ['asylum', 'refugee status'] },
 * ]); // { profileType: 'asylum', confidence: 0.875, matched: ['asylum', 'refugee status'] }
 */
export function classify(text: string, rules: readonly ClassifierRule[]): Classification | null {
  const tokens = words(text);
  const scores = new Map<string, { score: number; matched: string[] }>();
  for (const rule of rules) {
    const entry = scores.get(rule.profile_type) ?? { score: 0, matched: [] };
    const seen = new Set(entry.matched.map((t) => words(t).join(' ')));
    for (const term of rule.terms) {
      const needle = words(term);
      const key = needle.join(' ');
      if (seen.has(key) || !contains(tokens, needle)) continue;
      seen.add(key);
      entry.matched.push(term);
      entry.score += needle.length > 1 ? 2 : 1;
    }
    if (entry.score > 0) scores.set(rule.profile_type, entry);
  }
  const ranked = [...scores.entries()].sort((a, b) => b[1].score - a[1].score);
  const [best, second] = ranked;
  if (!best) return null;
  const [profileType, { score, matched }] = best;
  const against = second?.[1].score ?? 0;
  const confidence = round((1 - 0.5 ** score) * ((score - against) / score));
  return {
    profileType,
    confidence,
    matched,
    ...(second ? { competing: { profileType: second[0], matched: second[1].matched } } : {}),
  };
}

/**
 * Whether a classification changes the client's profile type: only above the threshold, never
 * over a type a person chose, and not when it says nothing new.
 */
export function verdict(
  result: Classification,
  threshold: number,
  client: { profileType: string | null; profileSource: string | null; confidence: number | null },
): Verdict {
  if (client.profileSource === 'manual') return { apply: false, reason: 'set_by_hand' };
  if (result.confidence < threshold) return { apply: false, reason: 'below_threshold' };
  if (client.profileType === result.profileType && (client.confidence ?? 0) >= result.confidence)
    return { apply: false, reason: 'unchanged' };
  return { apply: true, reason: 'above_threshold' };
}
