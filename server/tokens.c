/* tokens.c - a body as words and marks, and the extractor's word lists.
 *
 * The word lists are language, not corpus: French and English speech verbs
 * (regular verbs are conjugated here from their infinitive, so every tense
 * and person is covered), determiners, nouns for people, groups and
 * companies, and markers of organisation names. They are built once into a
 * hash set per list. */
#include "verbatim/tokens.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verbatim/text.h"

/* ---- tokens ---------------------------------------------------------------- */

static bool is_apostrophe(uint32_t c) { return c == '\'' || c == 0x2019 || c == 0x02BC; }
static bool is_hyphen(uint32_t c) { return c == '-' || c == 0x2010 || c == 0x2011; }

/* French elided words: l', d', j', m', n', s', t', c', qu', jusqu',
 * lorsqu', puisqu' (folded, len bytes). */
static bool is_elision(const char *w, size_t len)
{
    switch (len) {
    case 1: return strchr("ldjmnstc", w[0]) != NULL;
    case 2: return !memcmp(w, "qu", 2);
    case 5: return !memcmp(w, "jusqu", 5);
    case 6: return !memcmp(w, "lorsqu", 6) || !memcmp(w, "puisqu", 6);
    default: return false;
    }
}

/* Words of the lists are shorter than WORD_MAX bytes. */
#define WORD_MAX 32

/* A word's hash, fed a byte at a time as the word is written and mixed
 * eight bytes at a time. (Reading back bytes just stored, as one 64-bit
 * load, would wait on the stores.) */
typedef struct word_hash {
    uint64_t h, chunk;
    unsigned shift;
} word_hash;

#define WORD_HASH_INIT {0x9E3779B97F4A7C15ULL, 0, 0}

static inline void hash_mix(word_hash *w)
{
    w->h = (w->h ^ w->chunk) * 0xFF51AFD7ED558CCDULL;
    w->h ^= w->h >> 29;
    w->chunk = 0;
    w->shift = 0;
}

static inline void hash_feed(word_hash *w, unsigned char b)
{
    w->chunk |= (uint64_t)b << w->shift;
    if ((w->shift += 8) == 64) hash_mix(w);
}

/* The key lex_lookup takes: a word of up to SHORT_WORD bytes is its own
 * key, its bytes packed into a number; a longer one is hashed. */
#define SHORT_WORD 4

static inline uint64_t hash_done(word_hash *w, size_t n)
{
    if (n <= SHORT_WORD) return w->chunk;
    if (w->shift) hash_mix(w);
    uint64_t h = (w->h ^ n) * 0xFF51AFD7ED558CCDULL;
    return h ^ h >> 32;
}

static uint32_t lex_mask(const char *folded, size_t len);
static uint32_t lex_lookup(uint64_t hash, const char *folded, size_t len);
static bool lex_ready(void);

/* ASCII letters and digits: their class << 8 | their folded byte, 0 for the
 * other bytes; the class is 2 for a capital, 1 for the others. */
#define FC(c) [c] = (((c) >= 'A' && (c) <= 'Z') ? 2 << 8 | ((c) | 0x20) : 1 << 8 | (c))
#define FC10(c) FC(c), FC(c + 1), FC(c + 2), FC(c + 3), FC(c + 4), FC(c + 5), FC(c + 6), FC(c + 7), FC(c + 8), FC(c + 9)
static const uint16_t ascii_fold_class[128] = {
    FC10('0'), FC10('A'), FC10('A' + 10), FC('U'), FC('V'), FC('W'), FC('X'), FC('Y'), FC('Z'),
    FC10('a'), FC10('a' + 10), FC('u'), FC('v'), FC('w'), FC('x'), FC('y'), FC('z')};
#undef FC10
#undef FC

/* Which lists the token's word (n bytes, hash its key for lex_lookup)
 * belongs to, bare or with a pronoun ("ecrit-il"); hyphen: the word holds
 * a '-'. */
/* Subject pronouns after an inverted verb ("dit-il", "a-t-elle"), the
 * pronoun itself at offset pronoun. */
#define CLITIC(s, pronoun) {s, sizeof s - 1, pronoun}
static const struct clitic {
    const char *text;
    size_t len, pronoun;
} clitics[] = {CLITIC("-t-il", 3), CLITIC("-t-elle", 3), CLITIC("-t-on", 3), CLITIC("-t-ils", 3),
               CLITIC("-t-elles", 3), CLITIC("-ils", 1), CLITIC("-elles", 1), CLITIC("-il", 1),
               CLITIC("-elle", 1), CLITIC("-on", 1), CLITIC("-nous", 1)};

/* The clitic that ends the folded word w (n bytes), or NULL. */
static const struct clitic *clitic_of(const char *w, size_t n)
{
    for (size_t c = 0; c < sizeof clitics / sizeof *clitics; c++)
        if (n > clitics[c].len && memcmp(w + n - clitics[c].len, clitics[c].text, clitics[c].len + 1) == 0)
            return &clitics[c];
    return NULL;
}

static void classify(vb_token *k, size_t n, uint64_t hash, bool hyphen)
{
    k->lex = lex_lookup(hash, k->fold, n);
    const struct clitic *c = hyphen ? clitic_of(k->fold, n) : NULL;
    if (!c) return;
    k->inverted = lex_mask(k->fold, n - c->len);
    if (k->inverted) k->pronoun = c->text + c->pronoun;
}

bool vb_tok_inverted(const vb_token *k, vb_lex list, char pronoun[8])
{
    pronoun[0] = '\0';
    if (vb_tok_is(k, list)) return true;
    if ((k->inverted >> list) & 1u) {
        snprintf(pronoun, 8, "%s", k->pronoun);
        return true;
    }
    return false;
}

/* Reads the word that starts at cp[i] (a letter or digit) into k, its folded
 * form written at fold; returns the offset after it, and sets *bytes to the
 * length of the folded form and *hash to its key for lex_lookup. */
static size_t read_word(const uint32_t *cp, size_t n, size_t i, vb_token *k, char *fold, size_t *bytes,
                        uint64_t *hash, bool *hyphen)
{
    word_hash wh = WORD_HASH_INIT;
    const size_t room = VB_FOLD_MAX + 1 - 4; /* a folded code point takes up to 4 bytes */
    size_t len = 0, letters = 0;
    unsigned seen = 0; /* the classes of the letters and digits, or'ed: 1 for any but a capital */
    k->word = true;
    k->cap = vb_is_upper(cp[i]);
    *hyphen = false;
    for (;;) {
        /* ASCII letters and digits, most of any word, while they fit */
        size_t from = i, stop = n - i > room - len ? i + (room - len) : n;
        while (i < stop && cp[i] < 0x80 && ascii_fold_class[cp[i]]) {
            unsigned fc = ascii_fold_class[cp[i]];
            seen |= fc >> 8;
            unsigned char b = (unsigned char)fc;
            fold[len + (i - from)] = (char)b;
            hash_feed(&wh, b);
            i++;
        }
        len += i - from;
        letters += i - from;
        if (i >= n) break;
        uint32_t c = cp[i];
        if (c < 0x80 && ascii_fold_class[c]) { /* one that does not fit */
            seen |= ascii_fold_class[c] >> 8u;
            letters++;
            i++;
            continue;
        }
        /* "porte-parole", "a-t-elle", "AT&T" are one word. */
        bool joins = (is_hyphen(c) || c == '&') && i + 1 < n && vb_is_alnum(cp[i + 1]);
        if (!vb_is_alnum(c) && !joins) {
            /* "d'Amazon": the elided article is a token of its own. */
            if (is_apostrophe(c)) {
                fold[len] = '\0';
                if (is_elision(fold, len) && len < VB_FOLD_MAX) {
                    fold[len++] = '\'';
                    hash_feed(&wh, '\'');
                    i++;
                } else if (i + 1 < n && vb_is_alnum(cp[i + 1])) {
                    /* "aujourd'hui", "O'Neil": the apostrophe joins. */
                    if (len < VB_FOLD_MAX) {
                        fold[len++] = '\'';
                        hash_feed(&wh, '\'');
                    }
                    i++;
                    continue;
                }
            }
            break;
        }
        uint32_t f[2];
        size_t m = vb_fold_cp(c, f);
        if (vb_is_alnum(c)) {
            letters++;
            seen |= vb_is_upper(c) ? 2 : 1;
        }
        for (size_t j = 0; j < m; j++)
            if (len < room) {
                *hyphen |= f[j] == '-';
                size_t put = vb_utf8_put(fold + len, f[j]);
                for (size_t b = 0; b < put; b++) hash_feed(&wh, (unsigned char)fold[len + b]);
                len += put;
            }
        i++;
    }
    fold[len] = '\0';
    k->upper = letters >= 2 && seen == 2;
    *bytes = len;
    *hash = hash_done(&wh, len);
    return i;
}

bool vb_text_init(vb_text *t, const char *body, size_t n)
{
    size_t cap = n / 5 + 16; /* about one token per 5 bytes of news text: rarely grown */
    bool lists = lex_ready();
    memset(t, 0, sizeof *t);
    if (!(t->cp = vb_utf8_decode(body, n, &t->len))) return false;
    if (!(t->tok = malloc(cap * sizeof *t->tok))) { vb_text_free(t); return false; }
    /* A token's folded text takes at most 4 bytes per byte of the body, its
     * NUL included (3 for an invalid byte, folded to U+FFFD). */
    size_t folds_cap = 4 * n + VB_FOLD_MAX + 1, folds_len = 0;
    if (!(t->folds = malloc(folds_cap))) { vb_text_free(t); return false; }
    const uint32_t *cp = t->cp;
    size_t len = t->len, count = 0;
    vb_token *tok = t->tok;
    bool para = true;
    for (size_t i = 0; i < len;) {
        uint32_t c = cp[i];
        if (c == '\n' && i + 1 < len && cp[i + 1] == '\n') para = true;
        if (vb_is_space(c)) { i++; continue; }
        if (count == cap) {
            vb_token *grown = realloc(tok, (cap *= 2) * sizeof *grown);
            if (!grown) { t->count = count; vb_text_free(t); return false; }
            t->tok = tok = grown;
        }
        if (folds_len + VB_FOLD_MAX + 1 > folds_cap) { t->count = count; vb_text_free(t); return false; } /* never */
        vb_token *k = &tok[count++];
        char *fold = t->folds + folds_len;
        *k = (vb_token){.start = i, .fold = fold, .pronoun = "", .para_start = para};
        para = false;
        size_t bytes = 0;
        if (vb_is_alnum(c)) {
            uint64_t hash;
            bool hyphen;
            i = read_word(cp, len, i, k, fold, &bytes, &hash, &hyphen);
            k->end = i;
            if (lists) classify(k, bytes, hash, hyphen);
        } else {
            uint32_t f[2];
            if (vb_fold_cp(c, f)) bytes = vb_utf8_put(fold, f[0]);
            fold[bytes] = '\0';
            k->end = ++i;
        }
        folds_len += bytes + 1;
    }
    t->count = count;
    return true;
}

void vb_text_free(vb_text *t)
{
    if (!t) return;
    free(t->cp);
    free(t->tok);
    free(t->folds);
    memset(t, 0, sizeof *t);
}

char *vb_text_slice(const vb_text *t, size_t start, size_t end)
{
    char *out;
    size_t len = 0;
    bool space = false;
    if (end > t->len) end = t->len;
    if (start > end) start = end;
    if (!(out = malloc((end - start) * 4 + 1))) return NULL;
    for (size_t i = start; i < end; i++) {
        if (vb_is_space(t->cp[i]) && t->cp[i] != 0x00A0 && t->cp[i] != 0x202F) { space = len > 0; continue; }
        if (space) { out[len++] = ' '; space = false; }
        len += vb_utf8_put(out + len, t->cp[i]);
    }
    out[len] = '\0';
    return out;
}

/* ---- word lists ------------------------------------------------------------ */

/* French first-group verbs of speech, by infinitive (folded). */
static const char *const speech_er[] = {
    "indiquer", "ajouter", "expliquer", "affirmer", "estimer", "souligner", "declarer", "assurer",
    "denoncer", "deplorer", "rappeler", "preciser", "insister", "raconter", "confier", "lancer",
    "annoncer", "resumer", "observer", "noter", "relever", "constater", "signaler", "temoigner",
    "commenter", "confirmer", "regretter", "juger", "plaider", "reclamer", "protester", "elaborer",
    "repeter", "rapporter", "continuer", "enchainer", "corriger", "temperer", "demander", "interroger",
    "etonner", "esperer", "feliciter", "saluer", "fustiger", "souhaiter", "clamer", "proclamer",
    "informer", "tweeter", "detailler", "argumenter", "avancer", "nuancer", "ironiser", "exclamer",
    "lacher", "glisser", "souffler", "tonner", "analyser", "accuser", "critiquer", "justifier", "appeler",
    "exhorter", "marteler", "avouer", "alerter", "alarmer", "inquieter", "repliquer", "objecter",
    "rassurer", "rectifier", "communiquer", "evoquer", "jurer", "conseiller", "recommander", "suggerer",
    "indigner", "penser", "considerer", "prevenir", "trancher", "conceder", "insister", "mettre",
    "arguer", "assener", "asséner", "certifier", "deplorer", "espérer", "exposer",
    "jubiler", "lancer", "mentionner", "opposer", "pester", "railler", "reiterer", "relativiser",
    "remarquer", "revendiquer", "se feliciter", "declarer", "regretter", "s'inquieter", NULL};

/* Other verbs and forms, folded, as they are. */
static const char *const speech_forms[] = {
    /* 2nd group and irregular French verbs */
    "reagit", "reagissent", "reagi", "reagissait", "reagissaient", "reagira", "reagissant",
    "avertit", "avertissent", "averti", "avertissait", "rejouit", "rejoui", "rejouissent", "applaudit", "applaudi",
    "dit", "disent", "disait", "disaient", "dira", "diront", "disant", "dis", "dites", "disons", "dirent",
    "ecrit", "ecrivent", "ecrivait", "ecrivaient", "ecrivant", "ecrira", "ecrivit", "ecrite", "ecrits",
    "admet", "admettent", "admis", "admise", "admettait", "admettant", "admit",
    "reconnait", "reconnaissent", "reconnu", "reconnue", "reconnaissait", "reconnaissant", "reconnut",
    "soutient", "soutiennent", "soutenu", "soutenait", "soutenaient", "soutint",
    "maintient", "maintiennent", "maintenu", "maintenait",
    "conclut", "concluent", "conclu", "concluait", "concluant",
    "poursuit", "poursuivent", "poursuivi", "poursuivait", "poursuivaient", "poursuivant", "poursuivit",
    "repond", "repondent", "repondu", "repondait", "repondaient", "repondit",
    "previent", "previennent", "prevenu", "prevenait",
    "reprend", "reprennent", "repris", "reprenait", "reprit",
    "promet", "promettent", "promis", "promettait",
    "convient", "conviennent", "convenu",
    "defend", "defendent", "defendu", "defendait",
    "veut", "voudrait", "voulait", "veulent", "voudraient",
    "dement", "dementi", "dementent", "predit", "predisent",
    "renchérit", "rencherit", "rencheri", "rencherissent",
    "assene", "martele", "martelent", "rappelle", "rappellent", "rappelait",
    "jette", "projette",
    /* English */
    "say", "says", "said", "saying", "tell", "tells", "told", "telling", "add", "adds", "added", "adding",
    "write", "writes", "wrote", "written", "writing", "explain", "explains", "explained", "state", "states",
    "stated", "note", "notes", "noted", "warn", "warns", "warned", "claim", "claims", "claimed", "argue",
    "argues", "argued", "insist", "insists", "insisted", "continue", "continues", "continued", "conclude",
    "concludes", "concluded", "recall", "recalls", "recalled", "acknowledge", "acknowledges",
    "acknowledged", "admit", "admits", "admitted", "ask", "asks", "asked", "announce", "announced",
    "announces", "declare", "declared", "declares", "comment", "commented", "report", "reported", "reports",
    "tweet", "tweeted", "tweets", "respond", "responded", "responds", "reply", "replies", "replied",
    "suggest", "suggested", "suggests", "emphasize", "emphasized", "emphasised", "stress", "stressed",
    "stresses", "observe", "observed", "observes", "complain", "complained", "complains", "testify",
    "testified", "explaining", "adding", "warning", "noting", "arguing", "insisting", "remarked", "remarks",
    "remark", "quipped", "joked", "cautioned", "countered", "conceded", "confirmed", "confirms", "confirm",
    "denied", "denies", "deny", "predicted", "predicts", "believes", "thinks", "think", "wonders",
    "wondered", "urged", "urges", "pleaded", "promised", "promises", "vowed", "vows", "recounted",
    "recounts", "explains", "describes", "described", NULL};

static const char *const aux[] = {
    "a", "ont", "avait", "avaient", "aura", "auront", "aurait", "auraient", "avons", "avez", "ai", "as",
    "eut", "est", "sont", "etait", "etaient", "s'est", "se", "s'etait", "s'", "has", "have", "had", "was",
    "were", "is", "will", "would", "did", "does", "also", NULL};

static const char *const skip[] = {
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "hier", "aujourd'hui",
    "matin", "soir", "midi", "encore", "egalement", "aussi", "ainsi", "alors", "enfin", "notamment",
    "ensuite", "deja", "recemment", "meme", "pourtant", "toutefois", "cependant", "surtout",
    "publiquement", "fermement", "simplement", "sobrement", "volontiers", "immediatement", "d'abord",
    "aussitot", "plus", "tard", "tot", "recemment", "dernierement", "sur", "un", "ton", "today",
    "yesterday", "also", "later", "recently", "then", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday", "earlier", "last", "week", "night", "morning", "afternoon",
    "evening", "once", "again", "ne", "pas", "quant", NULL};

static const char *const det[] = {
    "le", "la", "les", "l'", "un", "une", "des", "du", "de", "d'", "ce", "cet", "cette", "ces", "son",
    "sa", "ses", "leur", "leurs", "notre", "nos", "votre", "vos", "the", "a", "an", "this", "that",
    "these", "those", "its", "their", "our", "plusieurs", "certains", "certaines", "quelques",
    "nombreux", "nombreuses", "divers", "diverses", "several", "some", "many", "two", "three", "deux",
    "trois", "quatre", "cinq", NULL};

static const char *const titles[] = {
    "m", "mme", "mmes", "mlle", "mr", "mrs", "ms", "dr", "pr", "me", "monsieur", "madame", "mademoiselle",
    "sir", "prof", "professeur", "docteur", "maitre", "monseigneur", "lord", "lady", "sen", "rep", "gov",
    "gen", "col", "capt", "sgt", NULL};

static const char *const pronouns[] = {"il", "elle", "ils", "elles", "on", "he", "she", "they", "it", NULL};

static const char *const human[] = {
    "porte-parole", "porte-paroles", "employe", "employee", "salarie", "salariee", "responsable",
    "dirigeant", "dirigeante", "directeur", "directrice", "president", "presidente", "pdg", "ceo",
    "patron", "patronne", "chercheur", "chercheuse", "expert", "experte", "avocat", "avocate", "juge",
    "ministre", "maire", "adjoint", "adjointe", "prefet", "prefete", "commissaire", "depute", "deputee",
    "senateur", "senatrice", "militant", "militante", "policier", "policiere", "agent", "temoin",
    "source", "representant", "representante", "fondateur", "fondatrice", "cofondateur", "professeur",
    "procureur", "procureure", "secretaire", "conseiller", "conseillere", "journaliste", "auteur",
    "autrice", "specialiste", "analyste", "delegue", "deleguee", "vice-president", "vice-presidente",
    "elu", "elue", "activiste", "syndicaliste", "ingenieur", "ingenieure", "consultant", "consultante",
    "economiste", "sociologue", "juriste", "manifestant", "manifestante", "habitant", "habitante",
    "proche", "officier", "gendarme", "enqueteur", "enqueteuse", "chef", "cheffe", "administrateur",
    "spokesperson", "spokesman", "spokeswoman", "employee", "official", "executive", "researcher",
    "lawyer", "attorney", "judge", "minister", "mayor", "senator", "activist", "officer", "director",
    "chief", "founder", "professor", "expert", "analyst", "representative", "source", "worker",
    "manager", "engineer", "scientist", "resident", "witness", "member", "membre", "leader", "head",
    "superintendent", "general", "attorney", "councilman", "councilwoman", "councillor", "councilor",
    "commissioner", "sheriff", "governor", "secretary", "chairman", "chairwoman", "chair", "principal",
    "dean", "captain", "lieutenant", "sergeant", "detective", "inspector", "teacher", "nurse", "doctor",
    "coach", "president", "ceo", "cfo", "cto", "vice-president", "architecte", "architect", "enseignant",
    "enseignante", "infirmier", "infirmiere", "medecin", "recteur", "rectrice", "eleve", "student",
    "directeur", "directrice", "editor", "rapporteur", "rapporteure", "gerant", "gerante", "owner",
    "proprietaire", "patron", "vendeur", "vendeuse", "agriculteur", "agricultrice", NULL};

static const char *const collective[] = {
    "associations", "organisations", "organizations", "ong", "groupes", "militants", "militantes",
    "actionnaires", "manifestants", "manifestantes", "employes", "salaries", "chercheurs", "elus",
    "deputes", "senateurs", "experts", "critiques", "defenseurs", "habitants", "syndicats", "activistes",
    "policiers", "agents", "juges", "avocats", "responsables", "dirigeants", "auteurs", "signataires",
    "parlementaires", "opposants", "riverains", "citoyens", "familles", "parents", "etudiants",
    "enseignants", "medecins", "scientifiques", "specialistes", "collectifs", "membres", "ecologistes",
    "syndicalistes", "travailleurs", "utilisateurs", "consommateurs", "representants", "eurodeputes",
    "groups", "activists", "shareholders", "employees", "workers", "researchers", "critics",
    "lawmakers", "officials", "protesters", "protestors", "advocates", "experts", "residents",
    "scientists", "campaigners", "organisers", "organizers", "senators", "members", "leaders", NULL};

static const char *const company[] = {
    "societe", "entreprise", "groupe", "firme", "multinationale", "geant", "compagnie", "plateforme",
    "constructeur", "editeur", "fabricant", "operateur", "start-up", "startup", "marque", "enseigne",
    "institution", "autorite", "organisation", "organisme", "association", "ong", "collectif",
    "agence", "ministere", "gouvernement", "mairie", "ville", "municipalite", "commission", "mouvement",
    "parti", "syndicat", "federation", "coalition", "firme",
    "company", "firm", "giant", "group", "corporation", "retailer", "organization", "organisation",
    "agency", "department", "ministry", "government", "city", "union", "charity", "platform", NULL};

static const char *const org_markers[] = {
    "union", "foundation", "fondation", "association", "commission", "conseil", "council", "comite",
    "committee", "institut", "institute", "agence", "agency", "ministere", "ministry", "department",
    "office", "bureau", "inc", "corp", "corporation", "ltd", "llc", "sa", "sas", "gmbh", "group",
    "groupe", "services", "service", "watch", "project", "projet", "center", "centre", "fund", "fonds",
    "federation", "confederation", "syndicat", "parti", "party", "mouvement", "movement", "alliance",
    "coalition", "collectif", "quadrature", "ligue", "league", "societe", "society", "university",
    "universite", "ecole", "school", "academie", "academy", "bank", "banque", "police", "prefecture",
    "gendarmerie", "tribunal", "court", "cour", "assemblee", "assembly", "senat", "senate", "congres",
    "congress", "parlement", "parliament", "gouvernement", "government", "commissariat", "autorite",
    "authority", "observatoire", "observatory", "network", "reseau", "media", "news", "times", "post",
    "press", "presse", "journal", "magazine", "radio", "television", "tv", "technologies", "technology",
    "systems", "labs", "lab", "laboratoire", "company", "compagnie", "airlines", "motors", "partners",
    "capital", "holdings", "international", "global", "mairie", "ville", "region", "departement",
    "ong", "ngo", "matter", "foundation", "amnesty", "frontier", "rights", "liberties", "libertes",
    "electronics", "industries", "solutions", "software", "networks", "communications", "insurance",
    "pharmaceuticals", "pharma", "foods", "energy", "logistics", "stores", "markets", "motors", "nature",
    "library", "bibliotheque", "hospital", "hopital", "clinic", "clinique", "museum", "musee", NULL};

/* Common first names (French and English): what tells "Nicole Ozer" (a person)
 * from "Black Lives Matter" when no role says so. */
static const char *const first_names[] = {
    "jean", "pierre", "michel", "andre", "philippe", "alain", "jacques", "bernard", "marie", "nathalie",
    "isabelle", "sylvie", "catherine", "francoise", "christine", "monique", "nicole", "anne", "caroline",
    "sophie", "julie", "claire", "laura", "sarah", "emma", "lea", "camille", "manon", "chloe", "ines",
    "nicolas", "thomas", "julien", "antoine", "alexandre", "francois", "laurent", "olivier", "christophe",
    "frederic", "frederique", "stephane", "sebastien", "david", "eric", "patrick", "marc", "paul", "louis",
    "lucas", "hugo", "arthur", "jules", "gabriel", "emmanuel", "manuel", "edouard", "bruno", "gerald",
    "yannick", "vincent", "benoit", "cedric", "didier", "thierry", "xavier", "yves", "gilles", "daniel",
    "dominique", "pascal", "denis", "herve", "henri", "georges", "charles", "claude", "martine", "valerie",
    "sandrine", "veronique", "helene", "agnes", "aurelie", "celine", "elisabeth", "elise", "juliette",
    "margaux", "mathilde", "pauline", "marine", "segolene", "anne-marie", "jean-pierre", "jean-claude",
    "jean-luc", "jean-marc", "jean-michel", "jean-yves", "marie-france", "cedric", "mickael", "michael",
    "john", "james", "robert", "william", "richard", "joseph", "charles", "mary", "patricia", "jennifer",
    "linda", "elizabeth", "barbara", "susan", "jessica", "karen", "nancy", "lisa", "betty", "margaret",
    "sandra", "ashley", "emily", "donna", "michelle", "carol", "amanda", "melissa", "deborah", "stephanie",
    "rebecca", "laura", "helen", "kevin", "brian", "george", "edward", "ronald", "timothy", "jason",
    "jeffrey", "jeff", "ryan", "jacob", "gary", "eric", "jonathan", "stephen", "larry", "justin", "scott",
    "brandon", "benjamin", "samuel", "frank", "gregory", "raymond", "alexander", "patrick", "jack",
    "dennis", "jerry", "tyler", "aaron", "jose", "adam", "henry", "nathan", "douglas", "zachary", "peter",
    "kyle", "walter", "ethan", "jeremy", "harold", "keith", "christian", "roger", "noah", "gerald", "carl",
    "terry", "sean", "austin", "joe", "bill", "tim", "tom", "mark", "matt", "andy", "andrew", "steve",
    "sundar", "satya", "tim", "elon", "mark", "sheryl", "teresa", "donald", "joe", "barack", "hillary",
    "kamala", "bernie", "nancy", "chuck", "angela", "ursula", "boris", "vladimir", "xi", "shankar",
    "arvind", "ranju", "brad", "jassy", "matthew", "christopher", "daniel", "anthony", "joshua",
    "kenneth", "paul", "maria", "anna", "sara", "julia", "olga", "ivan", "ahmed", "mohamed", "mohammed",
    "ali", "fatima", "karim", "rachid", "nadia", "leila", "yasmine", "omar", "hassan", "youssef", "amina",
    "jane", "janet", "anne", "ann", "amy", "emma", "olivia", "sophia", "grace", "claire", "kade", "kate", "katherine", "kathleen", "joy", "timnit", "cathy", "meredith", "evan", "alvaro", "carlos",
    "juan", "luis", "miguel", "javier", "ana", "lucia", "giulia", "marco", "luca", "giuseppe", "hans",
    "klaus", "wolfgang", "jurgen", "ingrid", "eva", "emmanuelle", "gerard", "raymond", "rene", "roland",
    "serge", "guy", "marcel", "lucien", "simone", "jacqueline", "odile", "brigitte", "genevieve", "agathe",
    "clement", "maxime", "romain", "quentin", "florian", "kevin", "jeremie", "damien", "fabien", "fabrice",
    "guillaume", "arnaud", "mathieu", "matthieu", "aurelien", "adrien", "bastien", "benjamin", "cyril",
    "etienne", "gaetan", "jerome", "loic", "ludovic", "raphael", "remi", "sylvain", "tristan", "valentin",
    "yann", "zoe", "alice", "louise", "jeanne", "charlotte", "lucie", "marion", "audrey", "emilie",
    "laetitia", "melanie", "virginie", "delphine", "estelle", "fanny", "gaelle", "ludivine", "noemie",
    "oceane", "solene", "amelie", "anais", "clemence", "elodie", "marianne", "christiane", "annie", NULL};

static const char *const stop_np[] = {
    "dans", "lors", "qui", "que", "qu'", "dont", "lorsque", "quand", "sur", "auprès", "aupres", "devant",
    "avant", "apres", "sous", "depuis", "selon", "via", "par", "pour", "avec", "et", "mais", "ou", "car",
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "hier", "en", "au", "aux",
    "a", "ce", "cette", "vers", "sans", "chez", "pendant", "tandis", "alors", "puis", "ensuite",
    "who", "which", "that", "in", "on", "at", "to", "during", "after", "before", "with", "and", "but",
    "from", "for", "by", "when", "while", "as", "of", "told", "said", "says", "ajoute", "explique",
    "ne", "n'", "se", "s'", "est", "sont", "etait", "a-t-il", "a-t-elle", "y", "il", "elle", NULL};

static const char *const according[] = {"selon", "d'apres", "according", "pour", NULL};

/* The most common words of each language: what tells French from English. */
static const char *const stop_fr[] = {"le", "la", "les", "des", "est", "une", "et", "que", "pour", "dans", "du",
                                      "qui", "pas", "sur", "au", "avec", "il", "elle", "a", NULL};
static const char *const stop_en[] = {"the", "and", "of", "to", "is", "that", "for", "in", "with", "was", "on",
                                      "said", "it", "are", "be", "by", "has", "have", NULL};

/* Short words that link the words of a name: "Ligue des droits de
 * l'Homme", "Ursula von der Leyen", "Bank of America". */
static const char *const connectors[] = {"de", "du", "des", "d'", "la", "le", "l'", "van", "von", "der", "of",
                                         "the", "and", "et", "for", "on", "da", "del", "di", NULL};

static const char *const prepositions[] = {"de", "d'", "du", "des", "a", "au", "aux", "sur", "dans", "par", "pour",
                                           "avec", "en", "chez", "vers", "contre", "sans", "sous", "entre", "of",
                                           "in", "on", "at", "by", "for", "with", "from", "to", "into", NULL};

static const char *const *const lists[VB_LEX_COUNT] = {
    [VB_LEX_SPEECH] = speech_forms, [VB_LEX_AUX] = aux, [VB_LEX_SKIP] = skip, [VB_LEX_DET] = det,
    [VB_LEX_TITLE] = titles, [VB_LEX_PRONOUN] = pronouns, [VB_LEX_HUMAN] = human,
    [VB_LEX_COLLECTIVE] = collective, [VB_LEX_COMPANY] = company, [VB_LEX_ORG_MARKER] = org_markers,
    [VB_LEX_FIRST_NAME] = first_names, [VB_LEX_STOP_NP] = stop_np, [VB_LEX_ACCORDING] = according,
    [VB_LEX_STOP_FR] = stop_fr, [VB_LEX_STOP_EN] = stop_en, [VB_LEX_CONNECTOR] = connectors,
    [VB_LEX_PREPOSITION] = prepositions};

/* One open-addressing hash set per list. */
typedef struct word_set {
    char (*slots)[32];
    size_t mask;
} word_set;

static word_set sets[VB_LEX_COUNT];
static bool sets_ok;

static uint64_t hash_n(const char *s, size_t n)
{
    word_hash wh = WORD_HASH_INIT;
    for (size_t i = 0; i < n; i++) hash_feed(&wh, (unsigned char)s[i]);
    return hash_done(&wh, n);
}

static uint64_t hash(const char *s)
{
    size_t n = strlen(s);
    uint64_t h = hash_n(s, n);
    return n <= SHORT_WORD ? h * 0x9E3779B97F4A7C15ULL >> 32 : h; /* a short word's key, spread */
}

static void set_add(word_set *set, const char *w)
{
    if (strlen(w) >= WORD_MAX) return;
    for (size_t i = hash(w) & set->mask;; i = (i + 1) & set->mask) {
        if (set->slots[i][0] == '\0') { strcpy(set->slots[i], w); return; }
        if (strcmp(set->slots[i], w) == 0) return;
    }
}

/* Every tense and person of a first-group verb, folded (accents gone, so
 * "indique" is both "indique" and "indiqué"). */
static void add_er_verb(word_set *set, const char *infinitive)
{
    static const char *const endings[] = {
        "e", "es", "ent", "ee", "ees", "ait", "aient", "a", "erent", "era", "eront", "ant", "ons", "ez",
        "ais", "erait", "eraient", "ai", "asse", "at", NULL};
    char stem[32], form[40];
    const char *inf = infinitive;
    size_t n;
    if (strncmp(inf, "se ", 3) == 0) inf += 3;
    if (strncmp(inf, "s'", 2) == 0) inf += 2;
    n = strlen(inf);
    if (n < 3 || n >= sizeof stem) return;
    memcpy(stem, inf, n - 2);
    stem[n - 2] = '\0';
    for (const char *const *e = endings; *e; e++) {
        strcpy(form, stem);
        strcat(form, *e);
        set_add(set, form);
    }
}

static void build_sets(void)
{
    for (int l = 0; l < VB_LEX_COUNT; l++) {
        size_t n = 0;
        for (const char *const *w = lists[l]; *w; w++) n++;
        if (l == VB_LEX_SPEECH) for (const char *const *w = speech_er; *w; w++) n += 20;
        size_t size = 64;
        while (size < n * 2) size *= 2;
        sets[l].slots = calloc(size, sizeof *sets[l].slots);
        if (!sets[l].slots) return;
        sets[l].mask = size - 1;
        for (const char *const *w = lists[l]; *w; w++) {
            char *f = vb_fold(*w); /* the lists are written with or without accents */
            if (f) { set_add(&sets[l], f); free(f); }
        }
        if (l == VB_LEX_SPEECH)
            for (const char *const *w = speech_er; *w; w++) {
                char *f = vb_fold(*w);
                if (f) { add_er_verb(&sets[l], f); free(f); }
            }
    }
    sets_ok = true;
}

/* One more table: every word of every list, with the mask of its lists, so
 * that a token asks once. Its slots are small and the words kept apart, so
 * that the table stays in cache: a word is read only when its hash matches. */
typedef struct mask_slot {
    uint32_t hash, len, mask, word; /* len 0: an empty slot; word: its index in words */
} mask_slot;
static mask_slot *masks;
static size_t masks_size;
static char (*words)[WORD_MAX];
/* Words of up to SHORT_WORD bytes, the most frequent in any text, by key
 * alone: a slot holds the key (0: empty) and the mask. */
#define SHORT_SLOTS 1024
static uint32_t short_keys[SHORT_SLOTS], short_masks[SHORT_SLOTS];

static size_t short_slot(uint32_t key) { return (key * 0x9E3779B1u) >> 22; } /* 10 bits: SHORT_SLOTS */
/* A bit per value of a hash's bits 16..31, set for the words of the lists:
 * most words of a text are in none, and this 8 KiB says so from L1 cache. */
static uint64_t present[1024];

static void build_masks(void)
{
    size_t total = 0, count = 0, shorts = 0;
    for (int l = 0; l < VB_LEX_COUNT; l++)
        for (size_t i = 0; i <= sets[l].mask; i++) total += sets[l].slots[i][0] != '\0';
    masks_size = 64;
    while (masks_size < 2 * total) masks_size *= 2;
    masks = calloc(masks_size, sizeof *masks);
    words = calloc(total, sizeof *words);
    if (!masks || !words) { free(masks); free(words); masks = NULL; return; }
    for (int l = 0; l < VB_LEX_COUNT; l++)
        for (size_t i = 0; i <= sets[l].mask; i++) {
            const char *w = sets[l].slots[i];
            if (!w[0]) continue;
            size_t n = strlen(w);
            uint64_t h = hash_n(w, n);
            if (n <= SHORT_WORD) {
                size_t j = short_slot((uint32_t)h);
                while (short_keys[j] && short_keys[j] != (uint32_t)h) j = (j + 1) % SHORT_SLOTS;
                if (!short_keys[j] && ++shorts > SHORT_SLOTS / 2) { /* the lists outgrew the table */
                    free(masks);
                    free(words);
                    masks = NULL;
                    return;
                }
                short_keys[j] = (uint32_t)h;
                short_masks[j] |= 1u << l;
                continue;
            }
            uint32_t bit = (uint32_t)(h >> 16) & 0xFFFF;
            present[bit >> 6] |= 1ULL << (bit & 63);
            for (size_t j = h & (masks_size - 1);; j = (j + 1) & (masks_size - 1)) {
                if (!masks[j].len) {
                    strcpy(words[count], w);
                    masks[j] = (mask_slot){(uint32_t)(h >> 32), (uint32_t)strlen(w), 1u << l, (uint32_t)count++};
                    break;
                }
                if (!strcmp(words[masks[j].word], w)) { masks[j].mask |= 1u << l; break; }
            }
        }
}

static void build_all(void)
{
    build_sets();
    if (sets_ok) build_masks();
}

static pthread_once_t all_once = PTHREAD_ONCE_INIT;

static atomic_bool lists_built; /* set once build_all has run: the common case skips pthread_once */

static void build_all_once(void)
{
    build_all();
    atomic_store_explicit(&lists_built, true, memory_order_release);
}

static bool lex_ready(void)
{
    if (!atomic_load_explicit(&lists_built, memory_order_acquire)) pthread_once(&all_once, build_all_once);
    return masks != NULL;
}

/* The lists of the word w[0..n) whose key (hash_done) is h. */
static uint32_t lex_lookup(uint64_t h, const char *w, size_t n)
{
    if (n <= SHORT_WORD) {
        for (size_t j = short_slot((uint32_t)h); short_keys[j]; j = (j + 1) % SHORT_SLOTS)
            if (short_keys[j] == (uint32_t)h) return short_masks[j];
        return 0;
    }
    uint32_t bit = (uint32_t)(h >> 16) & 0xFFFF;
    if (n >= WORD_MAX || !(present[bit >> 6] >> (bit & 63) & 1)) return 0;
    for (size_t j = h & (masks_size - 1);; j = (j + 1) & (masks_size - 1)) {
        const mask_slot *m = &masks[j];
        if (!m->len) return 0;
        if (m->hash != (uint32_t)(h >> 32) || m->len != n) continue;
        const char *word = words[m->word];
        size_t i = 0;
        while (i < n && word[i] == w[i]) i++; /* bytes one at a time: w was just written */
        if (i == n) return m->mask;
    }
}

static uint32_t lex_mask(const char *w, size_t n)
{
    return lex_lookup(hash_n(w, n), w, n);
}

uint32_t vb_lex_lists(const char *w, size_t n)
{
    return lex_ready() ? lex_mask(w, n) : 0;
}

uint32_t vb_lex_lists_short(uint32_t packed)
{
    return lex_ready() && packed ? lex_lookup(packed, NULL, SHORT_WORD) : 0; /* a short word is its own key */
}

bool vb_lex_has(vb_lex list, const char *folded)
{
    if (!lex_ready()) return false;
    return (lex_mask(folded, strlen(folded)) >> list) & 1u;
}

bool vb_lex_inverted(vb_lex list, const char *folded, char pronoun[8])
{
    if (!lex_ready()) return false;
    size_t n = strlen(folded);
    const struct clitic *c = clitic_of(folded, n);
    pronoun[0] = '\0';
    if (!c) return vb_lex_has(list, folded);
    if (!((lex_mask(folded, n - c->len) >> list) & 1u)) return false;
    snprintf(pronoun, 8, "%s", c->text + c->pronoun);
    return true;
}
