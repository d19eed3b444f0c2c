// An API failure told in words a coordinator understands: the stable codes
// of a workflow refusal (422 refused-by-workflow, 403 role_not_allowed) and
// the usual HTTP answers (403, 404, 409, 503) become sentences in the current
// language, with the workflow's own reason (its `message:`) where it has one.
import { t, lang } from './i18n.js';

const KNOWN_CODES = new Set([
  'guard_failed', 'invalid_data', 'not_allowed_in_phase', 'unknown_event_type', 'role_not_allowed',
  'suspended', 'not_suspended', 'already_suspended', 'no_transition_matched', 'invalid_state', 'not_created',
  'timer_date_invalid',
  'unknown_track_key',
]);

// Returns {title, sentence, unmet, fields, technical}: title when the
// method refused, the sentence to show, one sentence per unmet condition of
// a guard_failed (the file's message: in the current language, else the
// fields it looked at, named by pathLabel(path)), the words of each schema
// violation of an invalid_data / invalid_state with the top-level field it
// concerns ({field, text}, to show next to that field), and the server's own
// text for the curious. phaseLabel(id) names a phase for not_allowed_in_phase.
export function describeFailure(error, { phaseLabel = (id) => id, pathLabel = () => null } = {}) {
  const status = error?.status ?? 0;
  const problem = error?.problem ?? {};
  const code = problem.code;
  const unmet = (problem.details?.unmet ?? []).map((u) => unmetSentence(u, pathLabel));
  const fields = (problem.details?.violations ?? [])
    .filter((v) => v?.messages?.[lang()])
    .map((v) => ({ field: topField(v.path), text: v.messages[lang()] }));
  const words = problem.messages?.[lang()];
  const reason = stripFinalStop(
    (unmet.length === 1 ? unmet[0] : '') || words || problem.reason || problem.detail || error?.message || '');
  const technical = [problem.detail, problem.details ? JSON.stringify(problem.details) : null]
    .filter(Boolean).join(' — ');
  if (code && (status === 422 || code === 'role_not_allowed')) {
    let key = KNOWN_CODES.has(code) ? `refusal_${code}` : 'refusal_other';
    if (code === 'guard_failed' && unmet.length > 1) key = 'refusal_guard_failed_list';
    const phase = problem.details?.phase ? phaseLabel(problem.details.phase) : '';
    const trackKey = problem.details?.key ?? '';
    return { title: t('refused_title'), sentence: t(key, { reason, phase, count: unmet.length, key: trackKey }), unmet, fields, technical };
  }
  if (status === 403) return { title: null, sentence: t('forbidden'), unmet: [], fields: [], technical };
  if (status === 404) return { title: null, sentence: t('not_found'), unmet: [], fields: [], technical };
  if (status === 409) return { title: null, sentence: t('conflict'), unmet: [], fields: [], technical };
  if (status === 401) return { title: null, sentence: t('session_expired'), unmet: [], fields: [], technical };
  if (status === 503 || status === 429) return { title: null, sentence: t('server_busy'), unmet: [], fields: [], technical };
  return { title: null, sentence: t('error_generic', { status: status || '—', detail: reason }), unmet: [], fields: [], technical };
}

// One unmet condition in words: its message, or the fields it looked at.
function unmetSentence(u, pathLabel) {
  const words = u?.messages?.[lang()];
  if (words) return stripFinalStop(words);
  const fields = Object.keys(u?.values ?? {}).map((p) => pathLabel(p)).filter(Boolean);
  return fields.length ? t('unmet_fields', { fields: fields.join(', ') }) : t('unmet_condition', { guard: u?.guard ?? '' });
}

function stripFinalStop(text) {
  return String(text).replace(/[.\s]+$/, '');
}

// The top-level member a violation's JSONPath starts with ("$.montant",
// "$['a b'].x", "$.conventions[2].date"), or null for the whole value.
export function topField(path) {
  const m = /^\$(?:\.([A-Za-z0-9_]+)|\['((?:[^'\\]|\\.)*)'\])/.exec(String(path ?? ''));
  if (!m) return null;
  return m[1] ?? m[2].replace(/\\(.)/g, '$1');
}
