// The customer page's texts, in French and English (customer.js shows them in the page's
// language): words, and the few functions that put values into a sentence. Both languages have
// the same keys (tests/web/customer.test.mjs).

// French typography: a no-break space before two-part punctuation, so that a colon or a
// question mark never starts a line. Applied to the texts (`typo` for those with values), never to data.
const nb = (s) => s.replace(/ ([:;?!»])/g, '\u00a0$1').replace(/« /g, '«\u00a0');
const typo = (parts, ...values) => parts.map(nb).reduce((out, p, i) => out + values[i - 1] + p);
/** `one` or `other` as `lang` counts `n` (in French, 0 and 1 are singular). */
const pluralIn = (lang) => (n, one, other) => (new Intl.PluralRules(lang).select(n) === 'one' ? one : other);
const pluralFr = pluralIn('fr');
const pluralEn = pluralIn('en');

export const fr = {
  title: 'Votre devis',
  intro: 'Votre atelier vous a préparé un devis. Il s’ouvrira sur cet appareil, qui sera le seul à pouvoir l’afficher.',
  open: 'Ouvrir mon devis',
  opening: 'Ouverture…',
  from: 'Message de votre conseiller',
  fromDealer: 'Message de votre atelier',
  see: 'Voir les interventions',
  initial: 'Interventions prévues',
  optional: 'Interventions conseillées',
  severity: { red: 'Urgent', orange: 'À prévoir', green: 'Bon état' },
  choices: { accept: 'Faire', decline: 'Ne pas faire', contact_me: 'M’appeler' },
  decisionFor: (l) => `Votre décision pour ${l}`,
  checked: 'Contrôlé — rien à faire',
  answerNeeded: 'Réponse attendue : choisissez une option.',
  total: 'Total accepté',
  colon: ' :',
  incl: 'TTC',
  confirm: 'Confirmer ma commande',
  missing: (n) => `Il manque votre réponse pour ${n} ${pluralFr(n, 'intervention', 'interventions')}.`,
  summary: 'Récapitulatif',
  summaryIntro: 'Vérifiez vos réponses avant de les envoyer. Elles ne pourront plus être modifiées.',
  send: 'Confirmer et envoyer',
  change: 'Modifier',
  thanks: 'Merci, votre réponse a été envoyée',
  thanksText: (d) => `${d} a bien reçu vos décisions.`,
  readOnly: 'Vos réponses',
  confirmedOn: (d) => `Confirmé le ${d}`,
  nextTitle: 'Et ensuite ?',
  next: (calls, ready) => typo`${calls
    ? `Votre conseiller vous appelle comme demandé, pour ${calls} ${pluralFr(calls, 'intervention', 'interventions')}`
    : 'Votre conseiller vous rappelle si besoin'} ; ${ready
    ? `véhicule prêt le ${ready}` : 'il vous prévient dès que votre véhicule est prêt'}.`,
  workshop: 'Votre atelier',
  call: (n) => `Appeler le ${n}`,
  otherDevice: 'Ce devis est déjà ouvert sur un autre appareil.',
  expired: 'Ce lien a expiré.',
  otherDeviceWhy: 'Pour protéger vos informations, un devis ne s’ouvre que sur un appareil à la fois. Recevez un nouveau lien pour l’ouvrir sur celui-ci.',
  expiredWhy: 'Les liens restent valables 30 jours. Recevez-en un nouveau pour consulter votre devis.',
  askLink: (m) => `Envoyer un nouveau lien au ${m}`,
  askLinkMail: (m) => `Envoyer un nouveau lien à ${m}`,
  linkSent: (m) => `Un nouveau lien a été envoyé au ${m}. Ouvrez-le sur l’appareil de votre choix.`,
  linkSentMail: (m) => `Un nouveau lien a été envoyé à ${m}. Ouvrez-le sur l’appareil de votre choix.`,
  superseded: 'Votre atelier vous a envoyé une version plus récente de ce devis : utilisez le lien du dernier message reçu.',
  unknown: 'Ce lien n’est pas valide. Vérifiez qu’il est complet.',
  error: 'Une erreur est survenue. Réessayez dans un instant.',
  saved: 'Enregistré',
  preview: 'Aperçu : la page telle que le client la voit maintenant (lecture seule).',
  agreements: 'Conditions',
  acceptTerms: (title) => typo`J’ai lu et j’accepte : ${title}`,
  termsText: (title) => typo`Texte : ${title}`,
  termRequired: 'obligatoire',
  termOptional: 'facultatif',
  readTerms: 'Lire le texte',
  termsMissing: 'Cochez les conditions obligatoires pour confirmer.',
  termsAccepted: 'Conditions acceptées',
};

export const en = {
  title: 'Your estimate',
  intro: 'Your workshop has prepared an estimate for you. It will open on this device, the only one that can show it.',
  open: 'Open my estimate',
  opening: 'Opening…',
  from: 'Message from your service advisor',
  fromDealer: 'Message from your workshop',
  see: 'See the items',
  initial: 'Planned work',
  optional: 'Recommended work',
  severity: { red: 'Urgent', orange: 'Soon', green: 'Good' },
  choices: { accept: 'Do it', decline: 'Don’t do it', contact_me: 'Call me' },
  decisionFor: (l) => `Your decision for ${l}`,
  checked: 'Checked — nothing to do',
  answerNeeded: 'Answer needed: choose one option.',
  total: 'Total accepted',
  colon: ':',
  incl: 'incl. VAT',
  confirm: 'Confirm my order',
  missing: (n) => `${n} ${pluralEn(n, 'item is', 'items are')} still waiting for your answer.`,
  summary: 'Summary',
  summaryIntro: 'Check your answers before sending them. They cannot be changed afterwards.',
  send: 'Confirm and send',
  change: 'Change',
  thanks: 'Thank you, your answer has been sent',
  thanksText: (d) => `${d} has received your decisions.`,
  readOnly: 'Your answers',
  confirmedOn: (d) => `Confirmed on ${d}`,
  nextTitle: 'What happens next?',
  next: (calls, ready) => `${calls
    ? `Your service advisor will call you about ${calls} ${pluralEn(calls, 'item', 'items')}, as you asked`
    : 'Your service advisor will call you if needed'}; ${ready
    ? `your vehicle will be ready on ${ready}` : 'you will be told when your vehicle is ready'}.`,
  workshop: 'Your workshop',
  call: (n) => `Call ${n}`,
  otherDevice: 'This estimate is already open on another device.',
  expired: 'This link has expired.',
  otherDeviceWhy: 'To protect your information, an estimate opens on one device at a time. Get a new link to open it on this one.',
  expiredWhy: 'Links stay valid for 30 days. Get a new one to see your estimate.',
  askLink: (m) => `Send a new link to ${m}`,
  askLinkMail: (m) => `Send a new link to ${m}`,
  linkSent: (m) => `A new link was sent to ${m}. Open it on the device you want to use.`,
  linkSentMail: (m) => `A new link was sent to ${m}. Open it on the device you want to use.`,
  superseded: 'Your workshop has sent you a newer version of this estimate: use the link in the latest message.',
  unknown: 'This link is not valid. Check that it is complete.',
  error: 'Something went wrong. Please try again in a moment.',
  saved: 'Saved',
  preview: 'Preview: the page as the customer sees it now (read-only).',
  agreements: 'Terms',
  acceptTerms: (title) => `I have read and accept: ${title}`,
  termsText: (title) => `Text: ${title}`,
  termRequired: 'required',
  termOptional: 'optional',
  readTerms: 'Read the text',
  termsMissing: 'Tick the required terms to confirm.',
  termsAccepted: 'Terms accepted',
};

for (const [k, v] of Object.entries(fr)) {
  if (typeof v === 'string') fr[k] = nb(v);
  else if (typeof v === 'object') for (const [kk, vv] of Object.entries(v)) v[kk] = nb(vv);
}
