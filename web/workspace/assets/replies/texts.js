// The workspace's texts for what the customer wrote back, in French and English: data only (no
// import), merged by core/i18n.js. Both languages have the same keys
// (tests/web/workspace.test.mjs).
export const fr = {
  'replies.title': 'Messages du client',
  'replies.unread.one': '{n} réponse non lue',
  'replies.unread.other': '{n} réponses non lues',
  'replies.new': 'Nouveau',
  'replies.markRead': 'Marquer comme lu',
  'replies.marked': 'Réponses marquées comme lues.',
  'replies.readBy': 'Lu le {when}',
  'replies.incomplete': 'Message incomplet : une partie n\'est pas arrivée.',
  'replies.aboutOffer': 'En réponse à l\'offre',
};

export const en = {
  'replies.title': 'Messages from the customer',
  'replies.unread.one': '{n} unread reply',
  'replies.unread.other': '{n} unread replies',
  'replies.new': 'New',
  'replies.markRead': 'Mark as read',
  'replies.marked': 'Replies marked as read.',
  'replies.readBy': 'Read on {when}',
  'replies.incomplete': 'Incomplete message: a part did not arrive.',
  'replies.aboutOffer': 'In reply to the offer',
};
