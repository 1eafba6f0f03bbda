/**
 * Every `Action.Execute` verb the cards use, in one place. Each has exactly one handler in the bot's
 * registry (`ServiceAccountBot.verbs`), which a test compares with the templates.
 */
export const FORM_VERBS = {
  next: 'form.next',
  back: 'form.back',
  cancel: 'form.cancel',
  retry: 'form.retry',
  edit: 'form.edit',
  submit: 'form.submit',
} as const;

export const REQUEST_VERBS = {
  cancel: 'request.cancel',
  approve: 'request.approve',
  reject: 'request.reject',
  refresh: 'request.refresh',
  resend: 'request.resend',
  /** Shows the requester where to type the new approver. */
  changeApprover: 'request.changeApprover',
  /** Changes the approver to the one typed. */
  changeApproverConfirmed: 'request.changeApproverConfirmed',
} as const;

/** Buttons on the progress and "ready" cards. */
export const ACCOUNT_VERBS = {
  retry: 'provision.retry',
  remove: 'provision.remove',
  removeConfirmed: 'provision.removeConfirmed',
  reveal: 'password.reveal',
  reset: 'password.reset',
  downgrade: 'account.downgrade',
  // The owners' buttons on the ready card.
  owners: 'account.owners',
  ownersDone: 'account.ownersDone',
  ownerAdd: 'account.ownerAdd',
  ownerRemove: 'account.ownerRemove',
  disable: 'account.disable',
  disableConfirmed: 'account.disableConfirmed',
  enable: 'account.enable',
  enableConfirmed: 'account.enableConfirmed',
  rotate: 'password.rotate',
  handOver: 'password.handOver',
} as const;

/** Buttons on the health card. */
export const HEALTH_VERBS = {
  fix: 'health.fix',
  approveFix: 'health.approveFix',
} as const;

export type FormVerb = (typeof FORM_VERBS)[keyof typeof FORM_VERBS];
export type RequestVerb = (typeof REQUEST_VERBS)[keyof typeof REQUEST_VERBS];
export type AccountVerb = (typeof ACCOUNT_VERBS)[keyof typeof ACCOUNT_VERBS];
export type HealthVerb = (typeof HEALTH_VERBS)[keyof typeof HEALTH_VERBS];

export const ALL_VERBS: readonly string[] = [
  ...Object.values(FORM_VERBS),
  ...Object.values(REQUEST_VERBS),
  ...Object.values(ACCOUNT_VERBS),
  ...Object.values(HEALTH_VERBS),
];
