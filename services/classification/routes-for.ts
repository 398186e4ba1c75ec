import { type ClassificationResult, SEVERITY_RANK, type Severity } from './types.js';

export type Route =
  | 'flag_admins'
  | 'escalate_safeguarding'
  | 'notify_senior_leaders'
  | 'requires_senior_approval'
  | 'suggest_complaint_template'
  | 'auto_hide'
  | 'flag_personal_data';

export interface AccountRoutingSettings {
  offensiveThreshold: Severity;
  autoHide: boolean;
}

export const DEFAULT_ROUTING_SETTINGS: Readonly<AccountRoutingSettings> = Object.freeze({
  offensiveThreshold: 'medium',
  autoHide: false,
});

/** Where a classified comment goes, per the policy rules P3, P6, P8, P9 and P11. */
export function routesFor(result: ClassificationResult, accountSettings: AccountRoutingSettings): Route[] {
  const threshold = SEVERITY_RANK[accountSettings.offensiveThreshold];
  let offensive = false;
  let offensiveHigh = false;
  let safeguarding = false;
  let media = false;
  let complaint = false;
  let personalData = false;
  for (const label of result.labels) {
    switch (label.category) {
      case 'offensive':
        if (SEVERITY_RANK[label.severity] >= threshold) offensive = true;
        if (label.severity === 'high') offensiveHigh = true;
        break;
      case 'safeguarding':
        safeguarding = true;
        break;
      case 'media_enquiry':
        media = true;
        break;
      case 'complaint':
        complaint = true;
        break;
      case 'personal_data':
        personalData = true;
        break;
      case 'spam':
        break;
    }
  }
  const routes: Route[] = [];
  if (offensive) routes.push('flag_admins');
  if (safeguarding) routes.push('escalate_safeguarding');
  if (media) routes.push('notify_senior_leaders', 'requires_senior_approval');
  if (complaint) routes.push('suggest_complaint_template');
  if (offensiveHigh && accountSettings.autoHide) routes.push('auto_hide');
  if (personalData) routes.push('flag_personal_data');
  return routes;
}
