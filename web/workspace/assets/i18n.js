// Every text of the workspace in French and English, and the formats of money, numbers and
// dates (in the dealership's currency and time zone, whatever the browser's own settings).
import { state } from './state.js';

export const LANGUAGES = ['fr', 'en'];
export const RO_STATUSES = ['open', 'in_progress', 'ready', 'closed', 'cancelled'];
export const PARTY_ROLES = ['driver', 'owner', 'contractor', 'leasing_company'];
export const SEVERITIES = ['red', 'orange', 'green'];
export const KINDS = ['initial', 'optional'];
export const VAT_RATES_BP = [2000, 1000, 550, 210, 0];

const fr = {
  'common.optional': '(facultatif)',
  'common.cancel': 'Annuler',
  'common.close': 'Fermer',
  'common.save': 'Enregistrer',
  'common.edit': 'Modifier',
  'common.remove': 'Supprimer',
  'common.actions': 'Actions',
  'common.required': 'Obligatoire.',
  'common.checkFields': 'Vérifiez les champs signalés.',
  'common.retry': 'Réessayer',
  'common.copy': 'Copier',
  'common.copied': 'Copié',
  'common.copyFailed': 'Sélectionnez et copiez',
  'common.done': 'Terminé',
  'common.savedToast': 'Modifications enregistrées.',
  'common.noPlate': 'Sans immat.',
  'common.yes': 'oui',
  'common.no': 'non',

  'error.generic': 'Le serveur a répondu {status}.',
  'error.network': 'Le boîtier Relais ne répond pas. Vérifiez le réseau puis réessayez.',
  'error.fatalTitle': 'Impossible d\'afficher cette page',

  'nav.main': 'Navigation principale',
  'nav.repairOrders': 'Ordres de réparation',
  'nav.admin': 'Administration',
  'nav.account': 'Mon compte',
  'nav.signOut': 'Se déconnecter',
  'nav.language': 'Langue',
  'nav.skip': 'Aller au contenu',
  'lang.fr': 'Français',
  'lang.en': 'English',

  'notFound.title': 'Page introuvable',
  'notFound.text': 'Il n\'y a rien à cette adresse dans l\'espace atelier.',

  'auth.tagline': 'Espace atelier',
  'auth.signInTitle': 'Connexion',
  'auth.username': 'Identifiant',
  'auth.password': 'Mot de passe',
  'auth.signIn': 'Se connecter',
  'auth.signingIn': 'Connexion…',
  'auth.fillBoth': 'Saisissez votre identifiant et votre mot de passe.',
  'auth.waitSeconds': 'Réessayez dans {seconds} s',
  'auth.signedOut': 'Vous êtes déconnecté.',

  'password.chooseTitle': 'Choisissez votre mot de passe',
  'password.chooseLead': 'Bonjour {name}. Votre mot de passe actuel est provisoire : choisissez-en un personnel avant de continuer.',
  'password.current': 'Mot de passe actuel',
  'password.new': 'Nouveau mot de passe',
  'password.confirm': 'Confirmez le nouveau mot de passe',
  'password.rules': '10 caractères au moins, différent de votre identifiant.',
  'password.mismatch': 'Les deux saisies ne sont pas identiques.',
  'password.saveAndContinue': 'Enregistrer et continuer',
  'password.notYou': 'Ce n\'est pas vous ? Se déconnecter',

  'status.open': 'Ouvert',
  'status.in_progress': 'En cours',
  'status.ready': 'Prêt',
  'status.closed': 'Clôturé',
  'status.cancelled': 'Annulé',
  'role.advisor': 'Réceptionnaire',
  'role.dealer_admin': 'Administrateur',
  'role.party.driver': 'Conducteur',
  'role.party.owner': 'Propriétaire',
  'role.party.contractor': 'Contractant',
  'role.party.leasing_company': 'Société de leasing',
  'severity.red': 'Nécessaire',
  'severity.orange': 'Conseillé',
  'severity.green': 'Bon état',
  'kind.initial': 'Initiale',
  'kind.optional': 'Optionnelle',

  'list.title': 'Ordres de réparation',
  'list.new': 'Nouvel OR',
  'list.search': 'Rechercher',
  'list.searchPlaceholder': 'Immatriculation, n° d\'OR, client, modèle, téléphone…',
  'list.status': 'Statut',
  'list.advisor': 'Réceptionnaire',
  'list.advisorAny': 'Tous',
  'list.advisorMe': 'Moi',
  'list.advisorNone': 'Non attribué',
  'list.dates': 'Période',
  'list.dateCreated': 'Créés',
  'list.datePromised': 'Promis',
  'list.from': 'Du',
  'list.to': 'Au',
  'list.sortBy': 'Tri',
  'list.sort.newest': 'Plus récents',
  'list.sort.oldest': 'Plus anciens',
  'list.sort.promised': 'Date promise',
  'list.sort.number': 'N° d\'OR',
  'list.reset': 'Effacer les filtres',
  'list.col.number': 'N° OR',
  'list.col.vehicle': 'Véhicule',
  'list.col.customer': 'Client',
  'list.col.advisor': 'Réceptionnaire',
  'list.col.promised': 'Promis le',
  'list.col.status': 'Statut',
  'list.col.interventions': 'Interv.',
  'list.col.interventionsLong': 'Nombre d\'interventions',
  'list.col.total': 'Total TTC',
  'list.col.offer': 'Devis client',
  'list.offerProgress': 'Avancement du devis',
  'list.range': '{start}–{end} sur {total}',
  'list.none': 'Aucun résultat',
  'list.pages': 'Pages',
  'list.pageOf': 'Page {page} sur {pages}',
  'list.previous': 'Précédente',
  'list.next': 'Suivante',
  'list.unassigned': 'Non attribué',
  'list.emptyTitle': 'Aucun ordre de réparation',
  'list.emptyText': 'Les OR créés ici ou reçus du DMS apparaîtront dans cette liste.',
  'list.emptyFiltered': 'Aucun OR ne correspond',
  'list.emptyFilteredText': 'Essayez une autre recherche ou élargissez les filtres.',

  'new.title': 'Nouvel ordre de réparation',
  'new.roSection': 'Ordre de réparation',
  'new.customerSection': 'Client',
  'new.customerLead': 'Le premier interlocuteur ; d\'autres peuvent être ajoutés ensuite.',
  'new.numberHint': 'Laissez vide pour une numérotation automatique.',
  'new.create': 'Créer l\'OR',
  'new.created': '{number} créé.',
  'new.knownOpen': 'Un OR est déjà ouvert pour ce véhicule :',
  'new.knownBefore': 'Ce véhicule est déjà venu : {number}, le {when}.',
  'new.knownTakeOver': 'Reprendre le véhicule et les clients de {number}',
  'new.takenOver': 'Véhicule et clients repris de {number} : vérifiez-les avant de créer l\'OR.',
  'new.alsoTaken': 'Repris aussi :',
  'new.removeTaken': 'Ne pas reprendre {name}',

  'ro.number': 'N° d\'OR',
  'ro.status': 'Statut',
  'ro.advisor': 'Réceptionnaire',
  'ro.unassigned': 'Non attribué',
  'ro.promisedAt': 'Promis le',
  'ro.note': 'Note interne',
  'ro.noteHint': 'Visible de l\'atelier uniquement, jamais du client.',
  'ro.notePlaceholder': 'Informations pour l\'équipe…',
  'ro.vehicle': 'Véhicule',
  'ro.parties': 'Interlocuteurs',
  'ro.interventions': 'Interventions',
  'ro.timeline': 'Historique',
  'ro.timelineMore': 'Afficher les {n} événements plus anciens',
  'ro.late': 'En retard',
  'ro.promisedInvalid': 'Date promise incomplète : saisissez le jour et l\'heure.',
  'ro.saving': 'Enregistrement…',
  'ro.saved': 'Enregistré',
  'ro.createdAt': 'Créé le {when}',
  'ro.updatedAt': 'Modifié le {when}',
  'ro.notFound': 'Ordre de réparation introuvable',
  'ro.conflictTitle': 'Quelqu\'un d\'autre a modifié cet OR entre-temps.',
  'ro.conflictText': 'La page a été rechargée avec la dernière version. Vérifiez-la, puis refaites votre modification si elle est toujours utile.',

  'vehicle.plate': 'Immatriculation',
  'vehicle.vin': 'VIN',
  'vehicle.vinHint': '17 caractères, sans I, O ni Q.',
  'vehicle.make': 'Marque',
  'vehicle.model': 'Modèle',
  'vehicle.makeModel': 'Marque et modèle',
  'vehicle.mileage': 'Kilométrage',
  'vehicle.mileageInvalid': 'Indiquez un nombre entier de kilomètres.',
  'vehicle.unknown': 'Véhicule non renseigné',

  'party.kind': 'Type',
  'party.person': 'Particulier',
  'party.company': 'Société',
  'party.title': 'Civilité',
  'party.titleMr': 'M.',
  'party.titleMrs': 'Mme',
  'party.firstName': 'Prénom',
  'party.lastName': 'Nom',
  'party.companyName': 'Raison sociale',
  'party.roles': 'Rôles',
  'party.heldBy': '(actuellement : {name})',
  'party.language': 'Langue des messages',
  'party.languageDefault': 'Celle de la concession',
  'party.optedOutLabel': 'Ne souhaite pas être contacté',
  'party.optedOutHint': 'Aucun message ne lui sera envoyé, quel que soit le contact.',
  'party.optedOut': 'Ne pas contacter',
  'party.add': 'Ajouter',
  'party.addTitle': 'Nouvel interlocuteur',
  'party.added': 'Interlocuteur ajouté.',
  'party.editTitle': 'Modifier {name}',
  'party.edit': 'Modifier {name}',
  'party.remove': 'Retirer {name}',
  'party.removeTitle': 'Retirer cet interlocuteur ?',
  'party.removeText': '{name} et ses contacts seront retirés de cet OR.',
  'party.none': 'Aucun interlocuteur pour le moment.',

  'contact.phone': 'Téléphone',
  'contact.email': 'E-mail',
  'contact.kind': 'Type',
  'contact.usage': 'Usage',
  'contact.value': 'Numéro ou adresse',
  'contact.personal': 'Personnel',
  'contact.professional': 'Professionnel',
  'contact.personalShort': 'Perso',
  'contact.professionalShort': 'Pro',
  'contact.optedOutLabel': 'Ne pas utiliser ce contact',
  'contact.optedOutHint': 'Le client a demandé à ne plus être contacté ici.',
  'contact.optedOut': 'Exclu',
  'contact.noSms': 'Pas de SMS',
  'contact.add': 'Ajouter un contact',
  'contact.addTitle': 'Nouveau contact pour {name}',
  'contact.added': 'Contact ajouté.',
  'contact.editTitle': 'Modifier le contact',
  'contact.edit': 'Modifier {value}',
  'contact.remove': 'Supprimer {value}',
  'contact.removeTitle': 'Supprimer ce contact ?',
  'contact.removeText': '{value} ne sera plus utilisé pour cet OR.',
  'contact.none': 'Aucun contact',

  'item.position': 'Position',
  'item.label': 'Intervention',
  'item.note': 'Note du mécanicien',
  'item.notePlaceholder': 'Note du mécanicien',
  'item.kind': 'Type',
  'item.severity': 'Gravité',
  'item.kindSeverity': 'Type et gravité',
  'item.shown': 'Client',
  'item.shownLabel': 'Montrée au client',
  'item.excl': 'HT',
  'item.exclLong': 'Prix HT',
  'item.vat': 'TVA',
  'item.incl': 'TTC',
  'item.inclLong': 'Prix TTC',
  'item.add': 'Ajouter une intervention',
  'item.addTitle': 'Nouvelle intervention',
  'item.added': 'Intervention ajoutée.',
  'item.none': 'Aucune intervention. Ajoutez les travaux prévus et ceux constatés par l\'atelier.',
  'item.amountInvalid': 'Montant non valide (exemple : 145,50).',
  'item.labelRequired': 'Le libellé est obligatoire.',
  'item.moveUp': 'Monter',
  'item.moveDown': 'Descendre',
  'item.moveUpNamed': 'Monter « {label} »',
  'item.moveDownNamed': 'Descendre « {label} »',
  'item.remove': 'Supprimer',
  'item.removeNamed': 'Supprimer « {label} »',
  'item.seenTitle': 'Le client a déjà vu le devis',
  'item.agreedTitle': 'Le client a donné son accord',
  'item.agreedText': 'Le client a accepté « {label} » à {price} (version {n} de l\'offre).',
  'item.agreedSendHint': 'Enregistrer ce changement et lui envoyer une nouvelle version à accepter ? L\'ancienne sera remplacée.',
  'item.agreedLockedHint': 'L\'offre est verrouillée : aucune nouvelle version ne peut lui être envoyée. Modifier quand même ? Pensez à le prévenir.',
  'item.agreedDialogHint': 'Le modifier quand même ? Envoyez-lui ensuite une nouvelle version.',
  'item.agreedChangeSend': 'Enregistrer et envoyer',
  'item.agreedChange': 'Modifier quand même',
  'item.agreedRemove': 'Supprimer quand même',
  'offer.mismatchTitle': 'Ce que le client a accepté ne correspond plus à l\'OR',
  'offer.mismatch.price': '« {label} » : accepté à {agreed}, maintenant {now}',
  'offer.mismatch.label': '« {label} » s\'appelle maintenant « {now} »',
  'offer.mismatch.hidden': '« {label} » n\'est plus montré au client',
  'offer.mismatch.removed': '« {label} » a été supprimé de l\'OR',
  'offer.mismatchSend': 'Envoyer une nouvelle version',
  'offer.mismatchLocked': 'L\'offre est verrouillée : prévenez le client de ces changements.',
  'item.seenText': 'Il a vu la version {n}. Enregistrer ce changement et lui envoyer une nouvelle version, avec un nouveau lien ? L\'ancienne sera remplacée.',
  'item.seenConfirm': 'Enregistrer et envoyer',
  'item.seenSent': 'Modification enregistrée ; version {n} envoyée au client.',
  'item.seenNotSent': 'Modification enregistrée, mais la nouvelle version n\'est pas partie : {message}',
  'item.removeTitle': 'Supprimer cette intervention ?',
  'item.removeText': '« {label} » sera retirée de l\'OR.',

  'totals.all': 'Toutes les interventions',
  'totals.shown': 'Montrées au client',
  'totals.excl': 'HT',
  'totals.incl': 'TTC',

  'tl.repair_order.created': 'OR créé',
  'tl.repair_order.updated': 'OR modifié',
  'tl.party.added': 'Interlocuteur ajouté : {name}',
  'tl.party.updated': 'Interlocuteur modifié : {name}',
  'tl.party.removed': 'Interlocuteur retiré : {name}',
  'tl.contact_point.added': 'Contact ajouté : {value}',
  'tl.contact_point.updated': 'Contact modifié : {value}',
  'tl.contact_point.removed': 'Contact supprimé : {value}',
  'tl.intervention.added': 'Intervention ajoutée : {label}',
  'tl.intervention.updated': 'Intervention modifiée : {label}',
  'tl.intervention.removed': 'Intervention supprimée : {label}',
  'tl.party.added.plain': 'Interlocuteur ajouté',
  'tl.party.updated.plain': 'Interlocuteur modifié',
  'tl.party.removed.plain': 'Interlocuteur retiré',
  'tl.contact_point.added.plain': 'Contact ajouté',
  'tl.contact_point.updated.plain': 'Contact modifié',
  'tl.contact_point.removed.plain': 'Contact supprimé',
  'tl.intervention.added.plain': 'Intervention ajoutée',
  'tl.intervention.updated.plain': 'Intervention modifiée',
  'tl.intervention.removed.plain': 'Intervention supprimée',
  'tl.change': '{field} : {from} → {to}',
  'tl.textChanged': '{field} modifiée',
  'tl.offer.queued': 'Offre préparée pour l\'envoi',
  'tl.offer.sent': 'Offre envoyée',
  'tl.offer.received': 'Offre reçue par le client',
  'tl.offer.seen': 'Offre consultée par le client',
  'tl.offer.confirmed': 'Réponses du client confirmées',
  'tl.agreementAccepted': 'Conditions acceptées : « {title} », version {n}',
  'offer.agreements': 'Conditions',
  'offer.agreementAccepted': 'acceptée le {when}',
  'offer.agreementNotAccepted': 'non acceptée',
  'offer.agreementPending': 'en attente',
  'tl.offer.failed': 'Échec de l\'envoi de l\'offre',
  'tl.offer.locked': 'Offre verrouillée',
  'tl.offer.scheduled': 'Offre programmée',
  'tl.offer.cancelled': 'Envoi programmé annulé',
  'tl.offer.resent': 'Offre renvoyée',
  'tl.offer.expired': 'Offre expirée sans réponse',
  'tl.message.sent': 'Message envoyé',
  'tl.message.delivered': 'Message remis',
  'tl.message.failed': 'Échec d\'un message',
  'tl.message.quarantined': 'Message mis en quarantaine après des arrêts de Relais',
  'tl.link.access_link_refused': 'Nouveau lien refusé : trop de demandes',
  'tl.link.bound': 'Lien ouvert sur un appareil du client',
  'tl.link.access_link_sent': 'Nouveau lien envoyé au client',
  'tl.sms.received': 'SMS reçu du client',
  'tl.sms.read': 'Réponses du client lues',
  'tl.interventions.authorized_from_answers': 'Interventions autorisées selon les réponses du client',
  'tl.itemAuthorized': '« {label} » : autorisée',
  'tl.itemRefused': '« {label} » : non autorisée',
  'tl.draftsApplied': 'Réponses que le client n\'avait pas encore confirmées',
  'tl.agreement.created': 'Conditions créées',
  'tl.agreement.updated': 'Conditions modifiées',
  'tl.sms.from': 'De {who}',
  'replies.title': 'Messages du client',
  'replies.unread.one': '{n} réponse non lue',
  'replies.unread.other': '{n} réponses non lues',
  'replies.new': 'Nouveau',
  'replies.markRead': 'Marquer comme lu',
  'replies.marked': 'Réponses marquées comme lues.',
  'replies.readBy': 'Lu le {when}',
  'replies.incomplete': 'Message incomplet : une partie n\'est pas arrivée.',
  'replies.aboutOffer': 'En réponse à l\'offre',
  'tl.contact.opted_out': 'Le client ne souhaite plus être contacté (STOP)',
  'field.number': 'N° d\'OR',
  'field.status': 'Statut',
  'field.advisor_id': 'Réceptionnaire',
  'field.promised_at': 'Promis le',
  'field.note': 'Note interne',
  'field.vehicle.plate': 'Immatriculation',
  'field.vehicle.vin': 'VIN',
  'field.vehicle.make': 'Marque',
  'field.vehicle.model': 'Modèle',
  'field.vehicle.mileage_km': 'Kilométrage',
  'field.label': 'Libellé',
  'field.mechanic_note': 'Note du mécanicien',
  'field.price_excl_cents': 'Prix HT',
  'field.price_incl_cents': 'Prix TTC',
  'field.vat_rate_bp': 'TVA',
  'field.kind': 'Type',
  'field.severity': 'Gravité',
  'field.shown': 'Montrée au client',
  'field.position': 'Position',
  'field.roles': 'Rôles',
  'field.title': 'Civilité',
  'field.first_name': 'Prénom',
  'field.last_name': 'Nom',
  'field.company_name': 'Raison sociale',
  'field.language': 'Langue',
  'field.opted_out': 'Ne pas contacter',
  'field.usage': 'Usage',
  'field.value': 'Valeur',

  'admin.title': 'Administration',
  'admin.lead': 'Comptes du personnel, accès des logiciels de la concession et conditions proposées aux clients.',
  'admin.users': 'Utilisateurs',
  'admin.keys': 'Clés d\'API',
  'admin.agreements': 'Conditions',
  'agr.lead': 'Textes que le client lit et accepte avant de confirmer son devis. Chaque modification crée une nouvelle version ; un devis déjà envoyé garde la sienne.',
  'agr.create': 'Nouvelle condition',
  'agr.createTitle': 'Nouvelle condition',
  'agr.createLead': 'Elle sera proposée dans les prochains devis envoyés, pas dans ceux déjà envoyés.',
  'agr.editTitle': 'Modifier « {title} »',
  'agr.editLead': 'Les devis déjà envoyés gardent la version {n}. Les prochains proposeront la nouvelle version.',
  'agr.saveVersion': 'Enregistrer la version {n}',
  'agr.title': 'Titre',
  'agr.kind': 'Type',
  'agr.version': 'Version',
  'agr.state': 'État',
  'agr.mandatory': 'Obligatoire',
  'agr.optional': 'Facultative',
  'agr.versionN': 'Version {n}',
  'agr.changedBy': '{when} par {who}',
  'agr.active': 'Active',
  'agr.archived': 'Archivée',
  'agr.history': 'Versions',
  'agr.historyTitle': 'Versions de « {title} »',
  'agr.archive': 'Archiver',
  'agr.restore': 'Réactiver',
  'agr.archiveTitle': 'Archiver « {title} » ?',
  'agr.archiveText': 'Elle ne sera plus proposée dans les prochains devis. Les devis déjà envoyés et les acceptations enregistrées ne changent pas.',
  'agr.restored': '« {title} » réactivée.',
  'agr.archivedToast': '« {title} » archivée.',
  'agr.titleFr': 'Titre (français)',
  'agr.textFr': 'Texte (français)',
  'agr.titleEn': 'Titre (anglais)',
  'agr.textEn': 'Texte (anglais)',
  'agr.mandatoryLabel': 'Obligatoire : le client doit l’accepter pour confirmer',
  'agr.mandatoryHint': 'Décochée, la condition est proposée au client, qui peut confirmer sans l’accepter.',
  'agr.unchanged': 'Aucun changement : la version reste la même.',
  'agr.savedVersion': '« {title} » : version {n} enregistrée.',
  'agr.created': 'Condition « {title} » créée.',
  'agr.noneTitle': 'Aucune condition',
  'agr.noneText': 'Les clients confirment leur devis sans conditions à accepter. Ajoutez par exemple vos conditions générales de réparation.',
  'admin.onlyTitle': 'Réservé aux administrateurs',
  'admin.onlyText': 'Demandez à un administrateur de la concession de faire cette opération.',
  'user.name': 'Nom',
  'user.username': 'Identifiant',
  'user.usernameHint': '2 à 40 caractères : lettres, chiffres, point, tiret, tiret bas.',
  'user.displayName': 'Nom affiché',
  'user.role': 'Rôle',
  'user.roleOf': 'Rôle de {name}',
  'user.language': 'Langue',
  'user.languageDefault': 'Celle de la concession',
  'user.languageHint': 'Langue de l\'interface et des messages du serveur pour cet utilisateur.',
  'user.state': 'État',
  'user.created': 'Créé le',
  'user.active': 'Actif',
  'user.inactive': 'Désactivé',
  'user.mustChange': 'Mot de passe à choisir',
  'user.you': 'vous',
  'user.create': 'Nouvel utilisateur',
  'user.createTitle': 'Nouvel utilisateur',
  'user.tempPassword': 'Mot de passe provisoire',
  'user.tempPasswordHint': 'L\'utilisateur choisira le sien à sa première connexion.',
  'user.createdTitle': 'Compte de {name} créé',
  'user.createdLead': 'Communiquez l\'identifiant « {username} » et ce mot de passe provisoire :',
  'user.tempWarning': 'Ce mot de passe ne sera plus affiché.',
  'user.editTitle': 'Modifier {name}',
  'user.resetPassword': 'Réinitialiser le mot de passe',
  'user.resetTitle': 'Réinitialiser le mot de passe de {name}',
  'user.resetLead': '{name} sera déconnecté partout et devra choisir un nouveau mot de passe à sa prochaine connexion.',
  'user.resetSelf': 'Vos autres sessions seront fermées.',
  'user.resetDone': 'Mot de passe de {name} réinitialisé',
  'user.deactivate': 'Désactiver',
  'user.reactivate': 'Réactiver',
  'user.deactivateTitle': 'Désactiver le compte de {name} ?',
  'user.deactivateText': 'Ses sessions seront fermées et il ne pourra plus se connecter. Ses OR restent attribués.',
  'user.deactivated': 'Compte de {name} désactivé.',
  'user.reactivated': 'Compte de {name} réactivé.',
  'user.roleChanged': '{name} est maintenant {role}.',

  'key.lead': 'Une clé permet au DMS de créer et de mettre à jour les OR. Elle n\'est affichée qu\'une seule fois.',
  'key.name': 'Nom',
  'key.nameHint': 'Par exemple le nom du DMS qui l\'utilisera.',
  'key.prefix': 'Début de la clé',
  'key.created': 'Créée le',
  'key.lastUsed': 'Dernière utilisation',
  'key.never': 'Jamais',
  'key.state': 'État',
  'key.active': 'Active',
  'key.revokedOn': 'Révoquée le {when}',
  'key.create': 'Nouvelle clé',
  'key.createTitle': 'Nouvelle clé d\'API',
  'key.createdTitle': 'Clé « {name} » créée',
  'key.createdLead': 'Copiez cette clé dans la configuration du DMS :',
  'key.key': 'Clé d\'API',
  'key.onlyOnce': 'Elle ne sera plus jamais affichée. Si elle est perdue, révoquez-la et créez-en une autre.',
  'key.revoke': 'Révoquer',
  'key.revokeTitle': 'Révoquer la clé « {name} » ?',
  'key.revokeText': 'Le logiciel qui l\'utilise ne pourra plus accéder à Relais. Cette action est définitive.',
  'key.revoked': 'Clé « {name} » révoquée.',
  'key.noneTitle': 'Aucune clé d\'API',
  'key.noneText': 'Créez une clé pour connecter le DMS de la concession.',

  'account.title': 'Mon compte',
  'account.profile': 'Profil',
  'account.profileHint': 'Pour changer votre nom ou votre rôle, adressez-vous à un administrateur.',
  'account.password': 'Mot de passe',
  'account.passwordLead': 'Vos autres sessions ouvertes seront fermées.',
  'account.changePassword': 'Changer le mot de passe',
  'account.passwordChanged': 'Mot de passe changé.',
  'account.language': 'Langue de l\'interface',
  'account.languageHint': 'Enregistrée dans votre compte : l\'interface et les messages du serveur la suivent sur tous les postes.',
  'account.languageDealer': 'Celle de la concession ({lang})',
  'account.languageNotSaved': 'Langue appliquée sur ce poste seulement : elle n\'a pas pu être enregistrée dans votre compte.',

  'offer.title': 'Offres au client',
  'offer.send': 'Envoyer au client',
  'offer.loading': 'Chargement des offres…',
  'offer.loadFailed': 'Impossible d\'afficher les offres : {message}',
  'offer.none': 'Aucune offre envoyée pour le moment. Cochez les interventions à montrer au client (colonne « Client »), puis envoyez-lui le devis par SMS ou par e-mail.',
  'offer.version': 'Version {n}',
  'offer.createdBy': 'Créée le {when} par {name}',
  'offer.created': 'Créée le {when}',
  'offer.expires': 'lien valable jusqu\'au {when}',
  'offer.progress': 'Avancement de l\'offre',
  'offer.liveState': 'Offre version {n} : {state}',
  'offer.step.sent': 'Envoyée',
  'offer.step.received': 'Reçue',
  'offer.step.seen': 'Vue',
  'offer.step.confirmed': 'Confirmée',
  'offer.stepFailed': 'Échec',
  'offer.step.locked': 'Verrouillée',
  'offer.stepNotYet': 'pas encore',
  'offer.state.draft': 'En préparation',
  'offer.state.scheduled': 'Programmée',
  'offer.state.sent': 'Envoyée',
  'offer.state.received': 'Reçue',
  'offer.state.seen': 'Vue',
  'offer.state.confirmed': 'Confirmée',
  'offer.state.locked': 'Verrouillée',
  'offer.state.failed': 'Échec de l\'envoi',
  'offer.state.superseded': 'Remplacée',
  'offer.state.expired': 'Expirée',
  'offer.state.cancelled': 'Annulée',
  'offer.notice.failed': 'Aucun message n\'a pu partir. Vérifiez les contacts, puis envoyez une nouvelle version.',
  'offer.notice.expired': 'Le lien a expiré. Envoyez une nouvelle version si le client doit encore décider.',
  'offer.notice.cancelled': 'Cette offre a été annulée.',
  'offer.recipients': 'Destinataires',
  'offer.note': 'Message au client',
  'offer.decisions': 'Décisions du client',
  'offer.col.item': 'Intervention',
  'offer.col.price': 'Prix TTC',
  'offer.col.decision': 'Décision',
  'offer.decision.accept': 'À faire',
  'offer.decision.decline': 'Refusé',
  'offer.decision.contact_me': 'À rappeler',
  'offer.decision.none': 'Sans réponse',
  'offer.total': 'Total proposé TTC',
  'offer.accepted': 'Accepté par le client TTC',
  'offer.msg.pending': 'En attente',
  'offer.msg.sending': 'Envoi en cours',
  'offer.msg.sent': 'Envoyé',
  'offer.msg.delivered': 'Remis',
  'offer.msg.failed': 'Échec',
  'offer.msg.quarantined': 'En quarantaine',
  'offer.retrying': 'Tentative {n} : {error}. Nouvel essai automatique.',
  'offer.quarantined': 'Relais s’est arrêté {n} fois pendant l’envoi de ce message : il n’est plus renvoyé automatiquement. Vérifiez l’adresse, puis renvoyez l’offre.',
  'offer.lock': 'Verrouiller',
  'offer.preview': 'Aperçu client',
  'offer.applyAnswers': 'Appliquer les réponses',
  'offer.applied.one': '{n} intervention autorisée ou refusée selon les réponses du client.',
  'offer.applied.other': '{n} interventions autorisées ou refusées selon les réponses du client.',
  'offer.applyDrafts': 'Appliquer les réponses en cours…',
  'offer.applyDraftsTitle': 'Appliquer des réponses non confirmées ?',
  'offer.applyDraftsText': 'Le client n\'a pas encore confirmé : il peut encore changer ses réponses. Les appliquer quand même aux interventions ?',
  'offer.applyDraftsConfirm': 'Appliquer quand même',
  'offer.col.draft': 'Réponse en cours',
  'offer.draftNote': 'Le client n\'a pas encore confirmé : ses réponses sont provisoires et peuvent encore changer.',
  'offer.draft.accept': 'En cours : faire',
  'offer.draft.decline': 'En cours : ne pas faire',
  'offer.draft.contact_me': 'En cours : m\'appeler',
  'offer.draftAnswered': 'Réponses en cours : {n} sur {total}',
  'item.authorize': 'Autoriser',
  'item.refuse': 'Ne pas autoriser',
  'item.authorizeNamed': 'Autoriser : {label}',
  'item.refuseNamed': 'Ne pas autoriser : {label}',
  'offer.resend': 'Renvoyer',
  'offer.resendTitle': 'Renvoyer l\'offre ?',
  'offer.resendText': 'Le même devis repart vers ses destinataires, avec un nouveau lien valable 30 jours. Les contacts désinscrits depuis sont laissés de côté.',
  'offer.resentToast': 'Version {n} renvoyée au client.',
  'offer.cancel': 'Annuler l\'envoi',
  'offer.cancelTitle': 'Annuler l\'envoi programmé ?',
  'offer.cancelText': 'Le message ne partira pas et le lien ne fonctionnera pas.',
  'offer.cancelledToast': 'Envoi de la version {n} annulé.',
  'offer.scheduledFor': 'Envoi programmé le {when}.',
  'send.when': 'Envoi',
  'send.whenNow': 'Maintenant',
  'send.whenLater': 'Plus tard, le',
  'send.sendAt': 'Date et heure d\'envoi',
  'send.schedule': 'Programmer l\'envoi',
  'offer.lockTitle': 'Verrouiller l\'offre ?',
  'offer.lockText': 'À faire quand les travaux commencent : le client ne pourra plus changer ses réponses et aucune nouvelle version ne pourra être envoyée.',
  'offer.lockedToast': 'Offre verrouillée.',
  'offer.lockedHint': 'Offre verrouillée : aucune nouvelle version ne peut être envoyée pour cet OR.',
  'offer.older': 'Versions précédentes ({n})',
  'offer.olderLine': 'Version {n} — {state}',
  'offer.sentOn': 'envoyée le {when}',
  'offer.recipientCount.one': '{n} destinataire',
  'offer.recipientCount.other': '{n} destinataires',

  'send.title': 'Envoyer le devis au client',
  'send.previewTitle': 'Aperçu avant envoi',
  'send.recipients': 'Destinataires',
  'send.recipientsHint': 'Un SMS par téléphone, un e-mail par adresse, chacun avec son lien personnel.',
  'send.noContacts': 'Aucun interlocuteur : ajoutez-en un avec un téléphone ou une adresse e-mail.',
  'send.optedOut': 'Ne pas contacter',
  'send.pickOne': 'Choisissez au moins un destinataire.',
  'send.note': 'Message au client',
  'send.noteHint': 'Affiché en tête du devis et dans l\'e-mail ; pas dans le SMS.',
  'send.notePlaceholder': 'Bonjour, voici les travaux que nous vous proposons…',
  'send.noteCount': '{n} / {max} caractères',
  'send.items': 'Interventions proposées',
  'send.itemsHint': 'Cochez ce que le client verra. Chaque modification est enregistrée dans l\'OR.',
  'send.itemShown': 'Montrer « {label} » au client',
  'send.itemPrice': 'Prix TTC de « {label} »',
  'send.itemNote': 'Note du mécanicien pour « {label} »',
  'send.inclVat': 'TTC',
  'send.noItems': 'Aucune intervention n\'est montrée au client : il n\'y a rien à lui proposer.',
  'send.total': 'Total TTC',
  'send.preview': 'Prévisualiser',
  'send.previewLead.one': '{n} intervention, {total} TTC. Voici ce que recevra chaque destinataire :',
  'send.previewLead.other': '{n} interventions, {total} TTC. Voici ce que recevra chaque destinataire :',
  'send.agreements': 'Le client lira et acceptera avant de confirmer : {list}.',
  'send.back': 'Modifier',
  'send.send': 'Envoyer',
  'send.channel.sms': 'SMS',
  'send.channel.email': 'E-mail',
  'send.smsInfo': '{parts} SMS, {chars} caractères, {alphabet}',
  'send.alphabet.gsm7': 'alphabet GSM',
  'send.alphabet.ucs2': 'Unicode (UCS-2)',
  'send.alphabet.undefined': 'alphabet inconnu',
  'send.ucs2Hint': 'Un caractère hors de l\'alphabet GSM (lettre accentuée rare, emoji…) ramène chaque SMS à 70 caractères.',
  'send.subject': 'Objet',
  'send.textPart': 'Texte de l\'e-mail',
  'send.replaceTitle': 'Remplacer l\'offre en cours ?',
  'send.replaceText': 'Le client a déjà vu l\'offre en cours. Envoyer une nouvelle version qui la remplace ?',
  'send.replaceConfirm': 'Envoyer la nouvelle version',
  'send.sentToast': 'Version {n} envoyée au client.',
  'send.scheduledToast': 'Version {n} programmée.',
};

const en = {
  'common.optional': '(optional)',
  'common.cancel': 'Cancel',
  'common.close': 'Close',
  'common.save': 'Save',
  'common.edit': 'Edit',
  'common.remove': 'Remove',
  'common.actions': 'Actions',
  'common.required': 'Required.',
  'common.checkFields': 'Check the fields marked below.',
  'common.retry': 'Try again',
  'common.copy': 'Copy',
  'common.copied': 'Copied',
  'common.copyFailed': 'Select and copy',
  'common.done': 'Done',
  'common.savedToast': 'Changes saved.',
  'common.noPlate': 'No plate',
  'common.yes': 'yes',
  'common.no': 'no',

  'error.generic': 'The server answered {status}.',
  'error.network': 'The Relais appliance does not answer. Check the network and try again.',
  'error.fatalTitle': 'This page cannot be shown',

  'nav.main': 'Main navigation',
  'nav.repairOrders': 'Repair orders',
  'nav.admin': 'Admin',
  'nav.account': 'My account',
  'nav.signOut': 'Sign out',
  'nav.language': 'Language',
  'nav.skip': 'Skip to content',
  'lang.fr': 'Français',
  'lang.en': 'English',

  'notFound.title': 'Page not found',
  'notFound.text': 'There is nothing at this address in the workspace.',

  'auth.tagline': 'Service workspace',
  'auth.signInTitle': 'Sign in',
  'auth.username': 'User name',
  'auth.password': 'Password',
  'auth.signIn': 'Sign in',
  'auth.signingIn': 'Signing in…',
  'auth.fillBoth': 'Enter your user name and your password.',
  'auth.waitSeconds': 'Try again in {seconds} s',
  'auth.signedOut': 'You are signed out.',

  'password.chooseTitle': 'Choose your password',
  'password.chooseLead': 'Hello {name}. Your current password is temporary: choose your own before going on.',
  'password.current': 'Current password',
  'password.new': 'New password',
  'password.confirm': 'Confirm the new password',
  'password.rules': 'At least 10 characters, not your user name.',
  'password.mismatch': 'The two entries are not the same.',
  'password.saveAndContinue': 'Save and continue',
  'password.notYou': 'Not you? Sign out',

  'status.open': 'Open',
  'status.in_progress': 'In progress',
  'status.ready': 'Ready',
  'status.closed': 'Closed',
  'status.cancelled': 'Cancelled',
  'role.advisor': 'Service advisor',
  'role.dealer_admin': 'Administrator',
  'role.party.driver': 'Driver',
  'role.party.owner': 'Owner',
  'role.party.contractor': 'Contractor',
  'role.party.leasing_company': 'Leasing company',
  'severity.red': 'Necessary',
  'severity.orange': 'Advised',
  'severity.green': 'Fine',
  'kind.initial': 'Initial',
  'kind.optional': 'Optional',

  'list.title': 'Repair orders',
  'list.new': 'New repair order',
  'list.search': 'Search',
  'list.searchPlaceholder': 'Plate, RO number, customer, model, phone…',
  'list.status': 'Status',
  'list.advisor': 'Advisor',
  'list.advisorAny': 'Anyone',
  'list.advisorMe': 'Me',
  'list.advisorNone': 'Unassigned',
  'list.dates': 'Dates',
  'list.dateCreated': 'Created',
  'list.datePromised': 'Promised',
  'list.from': 'From',
  'list.to': 'To',
  'list.sortBy': 'Sort',
  'list.sort.newest': 'Newest first',
  'list.sort.oldest': 'Oldest first',
  'list.sort.promised': 'Promised date',
  'list.sort.number': 'RO number',
  'list.reset': 'Clear filters',
  'list.col.number': 'RO',
  'list.col.vehicle': 'Vehicle',
  'list.col.customer': 'Customer',
  'list.col.advisor': 'Advisor',
  'list.col.promised': 'Promised',
  'list.col.status': 'Status',
  'list.col.interventions': 'Items',
  'list.col.interventionsLong': 'Number of interventions',
  'list.col.total': 'Total incl. VAT',
  'list.col.offer': 'Customer offer',
  'list.offerProgress': 'Offer progress',
  'list.range': '{start}–{end} of {total}',
  'list.none': 'No results',
  'list.pages': 'Pages',
  'list.pageOf': 'Page {page} of {pages}',
  'list.previous': 'Previous',
  'list.next': 'Next',
  'list.unassigned': 'Unassigned',
  'list.emptyTitle': 'No repair orders yet',
  'list.emptyText': 'Repair orders created here or received from the DMS will show in this list.',
  'list.emptyFiltered': 'No repair order matches',
  'list.emptyFilteredText': 'Try another search or widen the filters.',

  'new.title': 'New repair order',
  'new.roSection': 'Repair order',
  'new.customerSection': 'Customer',
  'new.customerLead': 'The first party; you can add others afterwards.',
  'new.numberHint': 'Leave blank to number it automatically.',
  'new.create': 'Create repair order',
  'new.created': '{number} created.',
  'new.knownOpen': 'This vehicle already has an open repair order:',
  'new.knownBefore': 'This vehicle has been here before: {number}, on {when}.',
  'new.knownTakeOver': 'Take the vehicle and customers from {number}',
  'new.takenOver': 'Vehicle and customers taken from {number}: check them before creating the repair order.',
  'new.alsoTaken': 'Also taken:',
  'new.removeTaken': 'Do not take {name}',

  'ro.number': 'RO number',
  'ro.status': 'Status',
  'ro.advisor': 'Advisor',
  'ro.unassigned': 'Unassigned',
  'ro.promisedAt': 'Promised for',
  'ro.note': 'Internal note',
  'ro.noteHint': 'Seen by the workshop only, never by the customer.',
  'ro.notePlaceholder': 'Information for the team…',
  'ro.vehicle': 'Vehicle',
  'ro.parties': 'Parties',
  'ro.interventions': 'Interventions',
  'ro.timeline': 'History',
  'ro.timelineMore': 'Show {n} older events',
  'ro.late': 'Late',
  'ro.promisedInvalid': 'Incomplete promised date: enter the day and the time.',
  'ro.saving': 'Saving…',
  'ro.saved': 'Saved',
  'ro.createdAt': 'Created {when}',
  'ro.updatedAt': 'Changed {when}',
  'ro.notFound': 'Repair order not found',
  'ro.conflictTitle': 'Someone else changed this repair order meanwhile.',
  'ro.conflictText': 'The page has been reloaded with the latest version. Check it, then make your change again if it is still needed.',

  'vehicle.plate': 'Plate',
  'vehicle.vin': 'VIN',
  'vehicle.vinHint': '17 characters, no I, O or Q.',
  'vehicle.make': 'Make',
  'vehicle.model': 'Model',
  'vehicle.makeModel': 'Make and model',
  'vehicle.mileage': 'Mileage',
  'vehicle.mileageInvalid': 'Enter a whole number of kilometres.',
  'vehicle.unknown': 'Vehicle not filled in',

  'party.kind': 'Kind',
  'party.person': 'Person',
  'party.company': 'Company',
  'party.title': 'Title',
  'party.titleMr': 'Mr',
  'party.titleMrs': 'Mrs',
  'party.firstName': 'First name',
  'party.lastName': 'Last name',
  'party.companyName': 'Company name',
  'party.roles': 'Roles',
  'party.heldBy': '(now: {name})',
  'party.language': 'Language of messages',
  'party.languageDefault': 'The dealership’s',
  'party.optedOutLabel': 'Does not want to be contacted',
  'party.optedOutHint': 'No message will be sent to them, whatever the contact.',
  'party.optedOut': 'Do not contact',
  'party.add': 'Add',
  'party.addTitle': 'New party',
  'party.added': 'Party added.',
  'party.editTitle': 'Edit {name}',
  'party.edit': 'Edit {name}',
  'party.remove': 'Remove {name}',
  'party.removeTitle': 'Remove this party?',
  'party.removeText': '{name} and their contacts will be removed from this repair order.',
  'party.none': 'No party yet.',

  'contact.phone': 'Phone',
  'contact.email': 'Email',
  'contact.kind': 'Kind',
  'contact.usage': 'Use',
  'contact.value': 'Number or address',
  'contact.personal': 'Personal',
  'contact.professional': 'Professional',
  'contact.personalShort': 'Personal',
  'contact.professionalShort': 'Work',
  'contact.optedOutLabel': 'Do not use this contact',
  'contact.optedOutHint': 'The customer asked not to be contacted here any more.',
  'contact.optedOut': 'Opted out',
  'contact.noSms': 'No SMS',
  'contact.add': 'Add a contact',
  'contact.addTitle': 'New contact for {name}',
  'contact.added': 'Contact added.',
  'contact.editTitle': 'Edit contact',
  'contact.edit': 'Edit {value}',
  'contact.remove': 'Remove {value}',
  'contact.removeTitle': 'Remove this contact?',
  'contact.removeText': '{value} will no longer be used for this repair order.',
  'contact.none': 'No contact',

  'item.position': 'Position',
  'item.label': 'Intervention',
  'item.note': 'Mechanic’s note',
  'item.notePlaceholder': 'Mechanic’s note',
  'item.kind': 'Kind',
  'item.severity': 'Severity',
  'item.kindSeverity': 'Kind and severity',
  'item.shown': 'Customer',
  'item.shownLabel': 'Shown to the customer',
  'item.excl': 'Excl. VAT',
  'item.exclLong': 'Price excl. VAT',
  'item.vat': 'VAT',
  'item.incl': 'Incl. VAT',
  'item.inclLong': 'Price incl. VAT',
  'item.add': 'Add intervention',
  'item.addTitle': 'New intervention',
  'item.added': 'Intervention added.',
  'item.none': 'No interventions. Add the planned work and what the workshop found.',
  'item.amountInvalid': 'Not a valid amount (example: 145.50).',
  'item.labelRequired': 'The label is required.',
  'item.moveUp': 'Move up',
  'item.moveDown': 'Move down',
  'item.moveUpNamed': 'Move “{label}” up',
  'item.moveDownNamed': 'Move “{label}” down',
  'item.remove': 'Remove',
  'item.removeNamed': 'Remove “{label}”',
  'item.seenTitle': 'The customer has already seen the estimate',
  'item.agreedTitle': 'The customer has agreed to this',
  'item.agreedText': 'The customer accepted “{label}” at {price} (version {n} of the offer).',
  'item.agreedSendHint': 'Save this change and send them a new version to accept? The old one will be replaced.',
  'item.agreedLockedHint': 'The offer is locked: no new version can be sent to them. Change it anyway? Remember to tell them.',
  'item.agreedDialogHint': 'Change it anyway? Then send them a new version.',
  'item.agreedChangeSend': 'Save and send',
  'item.agreedChange': 'Change anyway',
  'item.agreedRemove': 'Remove anyway',
  'offer.mismatchTitle': 'What the customer accepted no longer matches the repair order',
  'offer.mismatch.price': '“{label}”: accepted at {agreed}, now {now}',
  'offer.mismatch.label': '“{label}” is now called “{now}”',
  'offer.mismatch.hidden': '“{label}” is no longer shown to the customer',
  'offer.mismatch.removed': '“{label}” was removed from the repair order',
  'offer.mismatchSend': 'Send a new version',
  'offer.mismatchLocked': 'The offer is locked: tell the customer about these changes.',
  'item.seenText': 'They saw version {n}. Save this change and send them a new version, with a new link? The old one will be replaced.',
  'item.seenConfirm': 'Save and send',
  'item.seenSent': 'Change saved; version {n} sent to the customer.',
  'item.seenNotSent': 'Change saved, but the new version did not go out: {message}',
  'item.removeTitle': 'Remove this intervention?',
  'item.removeText': '“{label}” will be removed from the repair order.',

  'totals.all': 'All interventions',
  'totals.shown': 'Shown to the customer',
  'totals.excl': 'Excl. VAT',
  'totals.incl': 'Incl. VAT',

  'tl.repair_order.created': 'Repair order created',
  'tl.repair_order.updated': 'Repair order changed',
  'tl.party.added': 'Party added: {name}',
  'tl.party.updated': 'Party changed: {name}',
  'tl.party.removed': 'Party removed: {name}',
  'tl.contact_point.added': 'Contact added: {value}',
  'tl.contact_point.updated': 'Contact changed: {value}',
  'tl.contact_point.removed': 'Contact removed: {value}',
  'tl.intervention.added': 'Intervention added: {label}',
  'tl.intervention.updated': 'Intervention changed: {label}',
  'tl.intervention.removed': 'Intervention removed: {label}',
  'tl.party.added.plain': 'Party added',
  'tl.party.updated.plain': 'Party changed',
  'tl.party.removed.plain': 'Party removed',
  'tl.contact_point.added.plain': 'Contact added',
  'tl.contact_point.updated.plain': 'Contact changed',
  'tl.contact_point.removed.plain': 'Contact removed',
  'tl.intervention.added.plain': 'Intervention added',
  'tl.intervention.updated.plain': 'Intervention changed',
  'tl.intervention.removed.plain': 'Intervention removed',
  'tl.change': '{field}: {from} → {to}',
  'tl.textChanged': '{field} changed',
  'tl.offer.queued': 'Offer queued for sending',
  'tl.offer.sent': 'Offer sent',
  'tl.offer.received': 'Offer received by the customer',
  'tl.offer.seen': 'Offer seen by the customer',
  'tl.offer.confirmed': 'Customer’s answers confirmed',
  'tl.agreementAccepted': 'Agreement accepted: “{title}”, version {n}',
  'offer.agreements': 'Agreements',
  'offer.agreementAccepted': 'accepted on {when}',
  'offer.agreementNotAccepted': 'not accepted',
  'offer.agreementPending': 'waiting',
  'tl.offer.failed': 'Offer could not be sent',
  'tl.offer.locked': 'Offer locked',
  'tl.offer.scheduled': 'Offer scheduled',
  'tl.offer.cancelled': 'Scheduled send cancelled',
  'tl.offer.resent': 'Offer sent again',
  'tl.offer.expired': 'Offer expired without an answer',
  'tl.message.sent': 'Message sent',
  'tl.message.delivered': 'Message delivered',
  'tl.message.failed': 'Message failed',
  'tl.message.quarantined': 'Message quarantined after Relais stopped while sending it',
  'tl.link.access_link_refused': 'New link refused: too many requests',
  'tl.link.bound': 'Link opened on a customer’s device',
  'tl.link.access_link_sent': 'New link sent to the customer',
  'tl.sms.received': 'SMS received from the customer',
  'tl.sms.read': 'Customer replies read',
  'tl.interventions.authorized_from_answers': 'Interventions authorised as the customer answered',
  'tl.itemAuthorized': '“{label}”: authorised',
  'tl.itemRefused': '“{label}”: not authorised',
  'tl.draftsApplied': 'Answers the customer had not confirmed yet',
  'tl.agreement.created': 'Agreement created',
  'tl.agreement.updated': 'Agreement changed',
  'tl.sms.from': 'From {who}',
  'replies.title': 'Messages from the customer',
  'replies.unread.one': '{n} unread reply',
  'replies.unread.other': '{n} unread replies',
  'replies.new': 'New',
  'replies.markRead': 'Mark as read',
  'replies.marked': 'Replies marked as read.',
  'replies.readBy': 'Read on {when}',
  'replies.incomplete': 'Incomplete message: a part did not arrive.',
  'replies.aboutOffer': 'In reply to the offer',
  'tl.contact.opted_out': 'The customer asked not to be contacted (STOP)',
  'field.number': 'RO number',
  'field.status': 'Status',
  'field.advisor_id': 'Advisor',
  'field.promised_at': 'Promised for',
  'field.note': 'Internal note',
  'field.vehicle.plate': 'Plate',
  'field.vehicle.vin': 'VIN',
  'field.vehicle.make': 'Make',
  'field.vehicle.model': 'Model',
  'field.vehicle.mileage_km': 'Mileage',
  'field.label': 'Label',
  'field.mechanic_note': 'Mechanic’s note',
  'field.price_excl_cents': 'Price excl. VAT',
  'field.price_incl_cents': 'Price incl. VAT',
  'field.vat_rate_bp': 'VAT',
  'field.kind': 'Kind',
  'field.severity': 'Severity',
  'field.shown': 'Shown to the customer',
  'field.position': 'Position',
  'field.roles': 'Roles',
  'field.title': 'Title',
  'field.first_name': 'First name',
  'field.last_name': 'Last name',
  'field.company_name': 'Company name',
  'field.language': 'Language',
  'field.opted_out': 'Do not contact',
  'field.usage': 'Use',
  'field.value': 'Value',

  'admin.title': 'Admin',
  'admin.lead': 'Staff accounts, access for the dealership’s software, and the terms offered to customers.',
  'admin.users': 'Users',
  'admin.keys': 'API keys',
  'admin.agreements': 'Agreements',
  'agr.lead': 'Terms the customer reads and accepts before confirming an estimate. Every change makes a new version; an estimate already sent keeps its own.',
  'agr.create': 'New agreement',
  'agr.createTitle': 'New agreement',
  'agr.createLead': 'It will be part of the next estimates sent, not of those already sent.',
  'agr.editTitle': 'Edit “{title}”',
  'agr.editLead': 'Estimates already sent keep version {n}. The next ones will carry the new version.',
  'agr.saveVersion': 'Save version {n}',
  'agr.title': 'Title',
  'agr.kind': 'Kind',
  'agr.version': 'Version',
  'agr.state': 'State',
  'agr.mandatory': 'Mandatory',
  'agr.optional': 'Optional',
  'agr.versionN': 'Version {n}',
  'agr.changedBy': '{when} by {who}',
  'agr.active': 'Active',
  'agr.archived': 'Archived',
  'agr.history': 'Versions',
  'agr.historyTitle': 'Versions of “{title}”',
  'agr.archive': 'Archive',
  'agr.restore': 'Restore',
  'agr.archiveTitle': 'Archive “{title}”?',
  'agr.archiveText': 'It will not be part of the next estimates. Estimates already sent and recorded acceptances do not change.',
  'agr.restored': '“{title}” restored.',
  'agr.archivedToast': '“{title}” archived.',
  'agr.titleFr': 'Title (French)',
  'agr.textFr': 'Text (French)',
  'agr.titleEn': 'Title (English)',
  'agr.textEn': 'Text (English)',
  'agr.mandatoryLabel': 'Mandatory: the customer must accept it to confirm',
  'agr.mandatoryHint': 'Unticked, the customer is offered the agreement and may confirm without accepting it.',
  'agr.unchanged': 'Nothing changed: the version stays the same.',
  'agr.savedVersion': '“{title}”: version {n} saved.',
  'agr.created': 'Agreement “{title}” created.',
  'agr.noneTitle': 'No agreements',
  'agr.noneText': 'Customers confirm their estimates without terms to accept. Add, for example, your general terms of repair.',
  'admin.onlyTitle': 'For administrators only',
  'admin.onlyText': 'Ask a dealership administrator to do this.',
  'user.name': 'Name',
  'user.username': 'User name',
  'user.usernameHint': '2 to 40 characters: letters, digits, dot, dash, underscore.',
  'user.displayName': 'Display name',
  'user.role': 'Role',
  'user.roleOf': 'Role of {name}',
  'user.language': 'Language',
  'user.languageDefault': 'The dealership’s',
  'user.languageHint': 'Language of the workspace and the server’s messages for this user.',
  'user.state': 'State',
  'user.created': 'Created',
  'user.active': 'Active',
  'user.inactive': 'Deactivated',
  'user.mustChange': 'Must choose a password',
  'user.you': 'you',
  'user.create': 'New user',
  'user.createTitle': 'New user',
  'user.tempPassword': 'Temporary password',
  'user.tempPasswordHint': 'The user chooses their own at first sign-in.',
  'user.createdTitle': 'Account of {name} created',
  'user.createdLead': 'Give them the user name “{username}” and this temporary password:',
  'user.tempWarning': 'This password will not be shown again.',
  'user.editTitle': 'Edit {name}',
  'user.resetPassword': 'Reset password',
  'user.resetTitle': 'Reset the password of {name}',
  'user.resetLead': '{name} will be signed out everywhere and must choose a new password at next sign-in.',
  'user.resetSelf': 'Your other sessions will end.',
  'user.resetDone': 'Password of {name} reset',
  'user.deactivate': 'Deactivate',
  'user.reactivate': 'Reactivate',
  'user.deactivateTitle': 'Deactivate the account of {name}?',
  'user.deactivateText': 'Their sessions end and they can no longer sign in. Their repair orders stay assigned.',
  'user.deactivated': 'Account of {name} deactivated.',
  'user.reactivated': 'Account of {name} reactivated.',
  'user.roleChanged': '{name} is now {role}.',

  'key.lead': 'A key lets the DMS create and update repair orders. It is shown only once.',
  'key.name': 'Name',
  'key.nameHint': 'For example the name of the DMS that will use it.',
  'key.prefix': 'Key starts with',
  'key.created': 'Created',
  'key.lastUsed': 'Last used',
  'key.never': 'Never',
  'key.state': 'State',
  'key.active': 'Active',
  'key.revokedOn': 'Revoked {when}',
  'key.create': 'New key',
  'key.createTitle': 'New API key',
  'key.createdTitle': 'Key “{name}” created',
  'key.createdLead': 'Copy this key into the DMS configuration:',
  'key.key': 'API key',
  'key.onlyOnce': 'It will never be shown again. If it is lost, revoke it and create another.',
  'key.revoke': 'Revoke',
  'key.revokeTitle': 'Revoke the key “{name}”?',
  'key.revokeText': 'The software using it will no longer reach Relais. This cannot be undone.',
  'key.revoked': 'Key “{name}” revoked.',
  'key.noneTitle': 'No API keys',
  'key.noneText': 'Create a key to connect the dealership’s DMS.',

  'account.title': 'My account',
  'account.profile': 'Profile',
  'account.profileHint': 'To change your name or role, ask an administrator.',
  'account.password': 'Password',
  'account.passwordLead': 'Your other open sessions will end.',
  'account.changePassword': 'Change password',
  'account.passwordChanged': 'Password changed.',
  'account.language': 'Language of the workspace',
  'account.languageHint': 'Saved in your account: the workspace and the server’s messages follow it on every computer.',
  'account.languageDealer': 'The dealership’s ({lang})',
  'account.languageNotSaved': 'Language applied on this computer only: it could not be saved in your account.',

  'offer.title': 'Offers to the customer',
  'offer.send': 'Send to the customer',
  'offer.loading': 'Loading the offers…',
  'offer.loadFailed': 'The offers cannot be shown: {message}',
  'offer.none': 'No offer sent yet. Tick the interventions to show the customer (column “Customer”), then send them the estimate by SMS or email.',
  'offer.version': 'Version {n}',
  'offer.createdBy': 'Created {when} by {name}',
  'offer.created': 'Created {when}',
  'offer.expires': 'link valid until {when}',
  'offer.progress': 'Progress of the offer',
  'offer.liveState': 'Offer version {n}: {state}',
  'offer.step.sent': 'Sent',
  'offer.step.received': 'Received',
  'offer.step.seen': 'Seen',
  'offer.step.confirmed': 'Confirmed',
  'offer.stepFailed': 'Failed',
  'offer.step.locked': 'Locked',
  'offer.stepNotYet': 'not yet',
  'offer.state.draft': 'Queued',
  'offer.state.scheduled': 'Scheduled',
  'offer.state.sent': 'Sent',
  'offer.state.received': 'Received',
  'offer.state.seen': 'Seen',
  'offer.state.confirmed': 'Confirmed',
  'offer.state.locked': 'Locked',
  'offer.state.failed': 'Sending failed',
  'offer.state.superseded': 'Replaced',
  'offer.state.expired': 'Expired',
  'offer.state.cancelled': 'Cancelled',
  'offer.notice.failed': 'No message could be sent. Check the contacts, then send a new version.',
  'offer.notice.expired': 'The link has expired. Send a new version if the customer still has to decide.',
  'offer.notice.cancelled': 'This offer was cancelled.',
  'offer.recipients': 'Recipients',
  'offer.note': 'Message to the customer',
  'offer.decisions': 'Customer’s decisions',
  'offer.col.item': 'Intervention',
  'offer.col.price': 'Price incl. VAT',
  'offer.col.decision': 'Decision',
  'offer.decision.accept': 'To do',
  'offer.decision.decline': 'Declined',
  'offer.decision.contact_me': 'Call back',
  'offer.decision.none': 'No answer yet',
  'offer.total': 'Offered, incl. VAT',
  'offer.accepted': 'Accepted by the customer, incl. VAT',
  'offer.msg.pending': 'Pending',
  'offer.msg.sending': 'Sending',
  'offer.msg.sent': 'Sent',
  'offer.msg.delivered': 'Delivered',
  'offer.msg.failed': 'Failed',
  'offer.msg.quarantined': 'Quarantined',
  'offer.retrying': 'Attempt {n}: {error}. Will try again.',
  'offer.quarantined': 'Relais stopped {n} times while sending this message, so it is no longer sent automatically. Check the address, then resend the offer.',
  'offer.lock': 'Lock',
  'offer.preview': 'Customer view',
  'offer.applyAnswers': 'Apply the answers',
  'offer.applied.one': '{n} item authorised or refused as the customer answered.',
  'offer.applied.other': '{n} items authorised or refused as the customer answered.',
  'offer.applyDrafts': 'Apply the answers so far…',
  'offer.applyDraftsTitle': 'Apply answers not confirmed?',
  'offer.applyDraftsText': 'The customer has not confirmed yet and may still change their answers. Apply them to the interventions anyway?',
  'offer.applyDraftsConfirm': 'Apply anyway',
  'offer.col.draft': 'Answer so far',
  'offer.draftNote': 'The customer has not confirmed yet: these answers are provisional and may still change.',
  'offer.draft.accept': 'So far: do it',
  'offer.draft.decline': 'So far: don’t do it',
  'offer.draft.contact_me': 'So far: call me',
  'offer.draftAnswered': 'Answered so far: {n} of {total}',
  'item.authorize': 'Authorise',
  'item.refuse': 'Do not authorise',
  'item.authorizeNamed': 'Authorise: {label}',
  'item.refuseNamed': 'Do not authorise: {label}',
  'offer.resend': 'Send again',
  'offer.resendTitle': 'Send the offer again?',
  'offer.resendText': 'The same estimate goes to its recipients again, with a new link valid for 30 days. Contacts who opted out since are left out.',
  'offer.resentToast': 'Version {n} sent to the customer again.',
  'offer.cancel': 'Cancel sending',
  'offer.cancelTitle': 'Cancel the scheduled send?',
  'offer.cancelText': 'The message will not leave and its link will not work.',
  'offer.cancelledToast': 'Sending of version {n} cancelled.',
  'offer.scheduledFor': 'Scheduled for {when}.',
  'send.when': 'When',
  'send.whenNow': 'Now',
  'send.whenLater': 'Later, on',
  'send.sendAt': 'Date and time to send',
  'send.schedule': 'Schedule',
  'offer.lockTitle': 'Lock the offer?',
  'offer.lockText': 'For when the work starts: the customer can no longer change their answers and no new version can be sent.',
  'offer.lockedToast': 'Offer locked.',
  'offer.lockedHint': 'Offer locked: no new version can be sent for this repair order.',
  'offer.older': 'Earlier versions ({n})',
  'offer.olderLine': 'Version {n} — {state}',
  'offer.sentOn': 'sent {when}',
  'offer.recipientCount.one': '{n} recipient',
  'offer.recipientCount.other': '{n} recipients',

  'send.title': 'Send the estimate to the customer',
  'send.previewTitle': 'Preview before sending',
  'send.recipients': 'Recipients',
  'send.recipientsHint': 'One SMS per phone, one email per address, each with its own personal link.',
  'send.noContacts': 'No party yet: add one with a phone number or an email address.',
  'send.optedOut': 'Do not contact',
  'send.pickOne': 'Choose at least one recipient.',
  'send.note': 'Message to the customer',
  'send.noteHint': 'Shown at the top of the estimate and in the email; not in the SMS.',
  'send.notePlaceholder': 'Hello, here is the work we suggest…',
  'send.noteCount': '{n} / {max} characters',
  'send.items': 'Interventions offered',
  'send.itemsHint': 'Tick what the customer will see. Each change is saved to the repair order.',
  'send.itemShown': 'Show “{label}” to the customer',
  'send.itemPrice': 'Price incl. VAT of “{label}”',
  'send.itemNote': 'Mechanic’s note for “{label}”',
  'send.inclVat': 'incl. VAT',
  'send.noItems': 'No intervention is shown to the customer: there is nothing to offer.',
  'send.total': 'Total incl. VAT',
  'send.preview': 'Preview',
  'send.previewLead.one': '{n} item, {total} incl. VAT. This is what each recipient will get:',
  'send.previewLead.other': '{n} items, {total} incl. VAT. This is what each recipient will get:',
  'send.agreements': 'Before confirming, the customer will read and accept: {list}.',
  'send.back': 'Edit',
  'send.send': 'Send',
  'send.channel.sms': 'SMS',
  'send.channel.email': 'Email',
  'send.smsInfo': '{parts} SMS, {chars} characters, {alphabet}',
  'send.alphabet.gsm7': 'GSM alphabet',
  'send.alphabet.ucs2': 'Unicode (UCS-2)',
  'send.alphabet.undefined': 'unknown alphabet',
  'send.ucs2Hint': 'A character outside the GSM alphabet (a rare accented letter, an emoji…) brings each SMS down to 70 characters.',
  'send.subject': 'Subject',
  'send.textPart': 'Text of the email',
  'send.replaceTitle': 'Replace the current offer?',
  'send.replaceText': 'The customer has already seen the current offer. Send a new version that replaces it?',
  'send.replaceConfirm': 'Send the new version',
  'send.sentToast': 'Version {n} sent to the customer.',
  'send.scheduledToast': 'Version {n} scheduled.',
};

// French typography: a no-break space before two-part punctuation and inside « », so a
// colon or a question mark never starts a line. Applied to the texts, not to data.
for (const [k, v] of Object.entries(fr)) {
  fr[k] = v.replace(/ ([:;?!»%])/g, '\u00a0$1').replace(/« /g, '«\u00a0');
}

const dictionaries = { fr, en };

export function t(key, params) {
  const dict = dictionaries[state.lang] || fr;
  let s = dict[key] ?? fr[key] ?? key;
  if (params) s = s.replace(/\{(\w+)\}/g, (m, name) => (params[name] === undefined ? m : String(params[name])));
  return s;
}

// ---- language choice ----------------------------------------------------------------------

function stored(key) {
  try { return localStorage.getItem(key) || ''; } catch { return ''; }
}

/** The language picked with the switcher on this browser, or '' when none was. */
/** A text the dealership wrote in both languages ({fr, en}, an agreement's title): the one in
 * the workspace's language, else the other. */
export function localText(text) {
  return text[state.lang] || text.fr || text.en || '';
}

export function languageChoice() {
  const v = stored('relais.lang');
  return LANGUAGES.includes(v) ? v : '';
}

export function saveLanguageChoice(lang) {
  try { localStorage.setItem('relais.lang', lang); } catch { /* private mode: this page only */ }
}

export function forgetLanguageChoice() {
  try { localStorage.removeItem('relais.lang'); } catch { /* ignore */ }
}

/** Remembered so the sign-in page (before any API answer) speaks the dealership's language. */
export function rememberDealerLanguage(lang) {
  try { if (LANGUAGES.includes(lang)) localStorage.setItem('relais.dealerLang', lang); } catch { /* ignore */ }
}

/** The dealership's language (full settings, else the sign-in page's, else remembered), else the browser's. */
export function dealerLanguage() {
  const candidates = [
    state.dealer && state.dealer.language,
    state.publicDealer && state.publicDealer.language,
    stored('relais.dealerLang'),
    ...(navigator.languages || [navigator.language]).map((l) => String(l || '').slice(0, 2).toLowerCase()),
  ];
  return candidates.find((l) => LANGUAGES.includes(l)) || 'fr';
}

/**
 * The signed-in user's own language (saved on the server, so it follows them to any computer),
 * else the switcher's choice on this browser, else the dealership's, else the browser's.
 */
export function initialLanguage() {
  const own = [state.user && state.user.language, languageChoice()].find((l) => LANGUAGES.includes(l));
  return own || dealerLanguage();
}

// ---- formats ------------------------------------------------------------------------------

// English is formatted the British way (day/month, 24 h): the dealerships are in Europe.
const LOCALES = { fr: 'fr-FR', en: 'en-GB' };
const locale = () => LOCALES[state.lang] || state.lang;

const cache = new Map();
function fmt(kind, options) {
  const key = `${kind}|${state.lang}|${JSON.stringify(options)}`;
  let f = cache.get(key);
  if (!f) {
    if (kind === 'p') f = new Intl.PluralRules(locale(), options);
    else if (kind === 'n') f = new Intl.NumberFormat(locale(), options);
    else f = new Intl.DateTimeFormat(locale(), options);
    cache.set(key, f);
  }
  return f;
}

const zone = () => (state.dealer && state.dealer.timezone) || undefined;
const currency = () => (state.dealer && state.dealer.currency) || 'EUR';

export function money(cents) {
  if (cents === null || cents === undefined) return '';
  return fmt('n', { style: 'currency', currency: currency() }).format(cents / 100);
}

/** An amount as typed in an input: "145,50" in French, no currency sign. */
export function moneyInput(cents) {
  if (cents === null || cents === undefined) return '';
  return fmt('n', { minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: false }).format(cents / 100);
}

export function count(n) {
  return fmt('n', {}).format(n);
}

/** A text that depends on a number: `${key}.one`, `.other` (…) chosen by the language's own
 * plural rules (French says "1 réponse", "0 réponse", English "0 replies"), with {n} formatted. */
export function plural(key, n, params = {}) {
  const rule = fmt('p', {}).select(n);
  const k = t(`${key}.${rule}`) === `${key}.${rule}` ? `${key}.other` : `${key}.${rule}`;
  return t(k, { ...params, n: count(n) });
}

export function vatLabel(bp) {
  return fmt('n', { style: 'percent', maximumFractionDigits: 2 }).format(bp / 10000);
}

export function dateTime(iso) {
  if (!iso) return '';
  return fmt('d', { timeZone: zone(), dateStyle: 'short', timeStyle: 'short' }).format(new Date(iso));
}

export function dateOnly(iso) {
  if (!iso) return '';
  return fmt('d', { timeZone: zone(), dateStyle: 'medium' }).format(new Date(iso));
}

function localParts(date) {
  const parts = {};
  for (const p of fmt('d', {
    timeZone: zone(), year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(date)) parts[p.type] = p.value;
  return parts;
}

/** "2026-11-24T17:30" in the dealership's time zone, for a datetime-local input. */
export function toLocalInput(iso) {
  if (!iso) return '';
  const p = localParts(new Date(iso));
  return `${p.year}-${p.month}-${p.day}T${p.hour === '24' ? '00' : p.hour}:${p.minute}`;
}

function localDay(date) {
  const p = localParts(date);
  return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day)) / 86400000;
}

/** A promised time as an advisor reads it: "Today 17:30", "Tomorrow 09:00", "Tue 24/11 17:30". */
export function promisedLabel(iso) {
  const d = new Date(iso);
  const diff = localDay(d) - localDay(new Date());
  const time = fmt('d', { timeZone: zone(), hour: '2-digit', minute: '2-digit' }).format(d);
  if (diff >= -1 && diff <= 1) {
    const word = new Intl.RelativeTimeFormat(locale(), { numeric: 'auto' }).format(diff, 'day');
    return `${word.charAt(0).toUpperCase()}${word.slice(1)} ${time}`;
  }
  const sameYear = localParts(d).year === localParts(new Date()).year;
  const day = fmt('d', sameYear
    ? { timeZone: zone(), weekday: 'short', day: '2-digit', month: '2-digit' }
    : { timeZone: zone(), day: '2-digit', month: '2-digit', year: 'numeric' }).format(d);
  return `${day} ${time}`;
}

/** Promised time passed while the work is not done yet. */
export function isLate(ro) {
  return Boolean(ro.promised_at) && (ro.status === 'open' || ro.status === 'in_progress') && Date.parse(ro.promised_at) < Date.now();
}

// ---- history ------------------------------------------------------------------------------

function partyName(p) {
  if (!p) return '';
  if (p.kind === 'company') return p.company_name || '';
  return [p.first_name, p.last_name].filter(Boolean).join(' ');
}

/** Who sent an SMS back ({name, party_id, contact_point_id, from, from_display}), as the RO
 * names them: "Hélène Lefèvre (Conducteur, Propriétaire) · 06 12 34 56 78". */
export function replySender(r, ro) {
  const party = ro.parties.find((p) => p.id === r.party_id);
  let number = r.from_display || r.from || '';
  for (const p of ro.parties) {
    const c = p.contact_points.find((x) => x.id === r.contact_point_id);
    if (c) number = c.display;
  }
  const name = (party && party.display_name) || r.name || '';
  const roles = party ? party.roles.map((x) => t(`role.party.${x}`)).join(', ') : '';
  const who = name ? (roles ? `${name} (${roles})` : name) : '';
  return [who, number].filter(Boolean).join(' · ');
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/i;

function formatValue(fieldName, value, scope, users) {
  if (value === null || value === undefined || value === '') return '—';
  switch (fieldName) {
    case 'status': return t(`status.${value}`);
    case 'advisor_id': {
      const u = (users || []).find((x) => x.id === value);
      return u ? u.display_name : `#${value}`;
    }
    case 'price_excl_cents':
    case 'price_incl_cents': return money(value);
    case 'vat_rate_bp': return vatLabel(value);
    case 'severity': return t(`severity.${value}`);
    case 'kind':
      if (scope === 'intervention') return t(`kind.${value}`);
      if (scope === 'party') return t(`party.${value}`);
      return t(`contact.${value}`);
    case 'usage': return t(`contact.${value}`);
    case 'roles': return (Array.isArray(value) ? value : [value]).map((r) => t(`role.party.${r}`)).join(', ');
    case 'language': return LANGUAGES.includes(value) ? t(`lang.${value}`) : String(value);
    case 'vehicle.mileage_km': return `${count(value)} km`;
    default:
      if (typeof value === 'boolean') return value ? t('common.yes') : t('common.no');
      // Times (promised_at and any other) come as RFC 3339: shown in the dealership's time zone.
      if (typeof value === 'string' && RFC3339.test(value)) return dateTime(value);
      return String(value);
  }
}

/** A timeline event as a title and a few lines of "what changed". */
export function describeEvent(ev, { ro, users }) {
  const data = ev.data || {};
  const scope = ev.type.split('.')[0];
  let params = {};
  if (scope === 'party') {
    const current = ro.parties.find((p) => p.id === data.party_id);
    params = { name: partyName(data) || (current ? current.display_name : '') };
  } else if (scope === 'contact_point') {
    let value = data.value;
    for (const p of ro.parties) {
      const c = p.contact_points.find((x) => x.id === data.contact_point_id);
      if (c) value = c.display;
    }
    params = { value: value || '' };
  } else if (scope === 'intervention') {
    const current = ro.interventions.find((i) => i.id === data.intervention_id);
    params = { label: data.label || (current ? current.label : '') };
  }
  // Without a name (the party or contact is gone since), the title says only what happened.
  const named = Object.values(params).every((v) => v);
  const key = named ? `tl.${ev.type}` : `tl.${ev.type}.plain`;
  const title = t(key, params) === key ? ev.type : t(key, params);
  const details = [];
  // The thumbs put on from the customer's answers: {label: authorised}, not field changes.
  if (ev.type === 'interventions.authorized_from_answers') {
    for (const [label, yes] of Object.entries(data.changes || {})) details.push(t(yes ? 'tl.itemAuthorized' : 'tl.itemRefused', { label }));
    if (data.confirmed === false) details.push(t('tl.draftsApplied'));
    return { title, details };
  }
  if (data.changes && typeof data.changes === 'object') {
    for (const [name, change] of Object.entries(data.changes)) {
      const label = t(`field.${name}`);
      if (name === 'note' || name === 'mechanic_note') {
        details.push(t('tl.textChanged', { field: label }));
      } else {
        details.push(t('tl.change', {
          field: label,
          from: formatValue(name, change.from, scope, users),
          to: formatValue(name, change.to, scope, users),
        }));
      }
    }
  }
  // What a customer wrote back, whole, and who wrote it as the RO names them.
  if (ev.type === 'sms.received') {
    details.push(`« ${data.text || ''} »`);
    details.push(t('tl.sms.from', { who: replySender({ ...data, name: ev.actor && ev.actor.name }, ro) }));
  }
  // The agreements accepted with a confirmation, each with the version the customer read.
  if (ev.type === 'offer.confirmed' && Array.isArray(data.agreements)) {
    for (const a of data.agreements) details.push(t('tl.agreementAccepted', { title: a.title, n: a.version }));
  }
  return { title, details };
}
