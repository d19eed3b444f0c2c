// An API failure told in words a coordinator understands: the stable codes
// of a workflow refusal (422 refused-by-workflow, 403 role_not_allowed) and
// the usual HTTP answers (403, 404, 409, 503) become sentences in the current
// language, with the workflow's own reason (its `message:`) where it has one.
import { t } from './i18n.js';

const KNOWN_CODES = new Set([
  'guard_failed', 'invalid_data', 'not_allowed_in_phase', 'unknown_event_type', 'role_not_allowed',
  'suspended', 'not_suspended', 'already_suspended', 'no_transition_matched', 'invalid_state', 'not_created',
  'unknown_track_key',
]);

// Returns {title, sentence, technical}: title when the method refused, the
// sentence to show, and the server's own text for the curious.
// phaseLabel(id) names a phase for not_allowed_in_phase.
export function describeFailure(error, { phaseLabel = (id) => id } = {}) {
  const status = error?.status ?? 0;
  const problem = error?.problem ?? {};
  const code = problem.code;
  const reason = stripFinalStop(problem.reason || problem.detail || error?.message || '');
  const technical = [problem.detail, problem.details ? JSON.stringify(problem.details) : null]
    .filter(Boolean).join(' — ');
  if (code && (status === 422 || code === 'role_not_allowed')) {
    const key = KNOWN_CODES.has(code) ? `refusal_${code}` : 'refusal_other';
    const phase = problem.details?.phase ? phaseLabel(problem.details.phase) : '';
    const trackKey = problem.details?.key ?? '';
    return { title: t('refused_title'), sentence: t(key, { reason, phase, key: trackKey }), technical };
  }
  if (status === 403) return { title: null, sentence: t('forbidden'), technical };
  if (status === 404) return { title: null, sentence: t('not_found'), technical };
  if (status === 409) return { title: null, sentence: t('conflict'), technical };
  if (status === 401) return { title: null, sentence: t('session_expired'), technical };
  if (status === 503 || status === 429) return { title: null, sentence: t('server_busy'), technical };
  return { title: null, sentence: t('error_generic', { status: status || '—', detail: reason }), technical };
}

function stripFinalStop(text) {
  return String(text).replace(/[.\s]+$/, '');
}
