#!/usr/bin/python3
"""generate.py - a deterministic synthetic news corpus in verbatim's raw format.

    /usr/bin/python3 bench/generate.py --n 100000 --seed 42 --out build/bench/corpus/n100000

Writes N files NNNNNN_HASH.txt shaped like db/articles/*.txt: an optional
leading " date YYYY[-MM[-DD]] " marker, a headline printed twice (or once),
site chrome ("Skip to main content", "Lire et commenter", "Plus d'articles"
...), datelines in French and English ("19 Juin, 2018", "vendredi 4 décembre
2020", "June 19, 2018", "Publié le 04/12/2020 à 14h32"), RFC 2822 footer
stamps, source URLs, then paragraphs with direct quotes attributed in the
ways the press does it (« ... », a déclaré X; X a affirmé : « ... »; selon X;
« ... », écrit-il; "...," said X; X said: "..."; according to X). French and
English (60/40), 2-8 KB, dates over 2005-2024 with day, month and year
precision (and some undated), speakers drawn from a Zipf-distributed
population of persons, organisations and groups.

Article i depends only on (seed, i): the first 1,000 files of a 100,000-file
corpus are the 1,000-file corpus. Standard library only; uses both cores.
"""
import argparse
import bisect
import datetime
import hashlib
import json
import multiprocessing
import os
import random
import sys

GEN_VERSION = 1

# ---------------------------------------------------------------- word banks
FIRST = {  # name: gender
    "Nicole": "f", "Marie": "f", "Claire": "f", "Sophie": "f", "Julie": "f", "Camille": "f", "Isabelle": "f",
    "Nathalie": "f", "Amélie": "f", "Hélène": "f", "Élodie": "f", "Agnès": "f", "Céline": "f", "Léa": "f",
    "Manon": "f", "Inès": "f", "Chloé": "f", "Valérie": "f", "Sarah": "f", "Emily": "f", "Jennifer": "f",
    "Laura": "f", "Rebecca": "f", "Hannah": "f", "Olivia": "f", "Grace": "f", "Teresa": "f", "Anna": "f",
    "Fatima": "f", "Aïcha": "f", "Priya": "f", "Mei": "f", "Karen": "f", "Susan": "f", "Margaret": "f",
    "Jean": "m", "Pierre": "m", "Luc": "m", "François": "m", "Thomas": "m", "Nicolas": "m", "Julien": "m",
    "Antoine": "m", "Mathieu": "m", "Sébastien": "m", "Frédéric": "m", "Jérôme": "m", "Olivier": "m",
    "Karim": "m", "Mehdi": "m", "Hugo": "m", "Louis": "m", "Benoît": "m", "Rémi": "m", "Yann": "m",
    "John": "m", "Michael": "m", "David": "m", "James": "m", "Robert": "m", "Daniel": "m", "Kevin": "m",
    "Brian": "m", "Andrew": "m", "Samuel": "m", "Arvind": "m", "Sundar": "m", "Shankar": "m", "Omar": "m",
    "Kenji": "m", "Lars": "m", "Diego": "m", "Marco": "m", "Paul": "m", "Peter": "m", "William": "m",
}
LAST = (
    "Ozer Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre Michel "
    "Garcia David Bertrand Roux Vincent Fournier Morel Girard André Lefèvre Mercier Dupont Lambert Bonnet "
    "François Martinez Legrand Garnier Faure Rousseau Blanc Guérin Muller Henry Roussel Nicolas Perrin Morin "
    "Mathieu Clément Gauthier Dumont Lopez Fontaine Chevalier Robin Masson Sanchez Gérard Nguyen Boyer Denis "
    "Lemaire Duval Joly Gautier Roger Roche Roy Noël Meyer Lucas Meunier Jean Perez Marchand Dufour Blanchard "
    "Barbier Brun Dumas Brunet Schmitt Leroux Colin Fernandez Pierre Renard Arnaud Rolland Caron Aubert "
    "Giraud Leclerc Vidal Bourgeois Renaud Lemoine Picard Gaillard Philippe Leclercq Lacroix Fabre Dupuis "
    "Olivier Rodriguez Da Silva Hubert Louis Charles Guillot Rivière Le Gall Guillaume Adam Rey Moulin "
    "Gonzalez Berger Lecomte Menard Fleury Deschamps Carpentier Julien Benoit Paris Maillard Marchal Aubry "
    "Vasseur Le Roux Renault Jacquet Collet Prévost Poirier Charpentier Royer Huet Baron Dupuy Pons Paul "
    "Laine Carré Breton Rémy Schneider Perrot Guyot Barre Marty Cousin Smith Johnson Williams Brown Jones "
    "Miller Davis Wilson Anderson Taylor Moore Jackson White Harris Thompson Clark Lewis Walker Hall Allen "
    "Young King Wright Scott Green Baker Adams Nelson Hill Campbell Mitchell Roberts Carter Phillips Evans "
    "Turner Torres Parker Collins Edwards Stewart Morris Murphy Cook Rogers Morgan Peterson Cooper Reed "
    "Bailey Bell Kelly Howard Ward Cox Richardson Wood Watson Brooks Bennett Gray Hughes Price Sanders "
    "Myers Long Ross Foster Narayan Krishna Pichai Carlson Bezos Nakamura Kowalski Novak Jensen Rossi "
    "Schulz Hoffmann Okafor Mensah Haddad Benali Chowdhury Tanaka Kim Park Chen Wang Singh Patel Khan"
).split()
# "Da Silva", "Le Gall", "Le Roux" were split: glue them back.
_glued, _skip = [], False
for _i, _w in enumerate(LAST):
    if _skip:
        _skip = False
        continue
    if _w in ("Da", "Le") and _i + 1 < len(LAST):
        _glued.append(_w + " " + LAST[_i + 1])
        _skip = True
    else:
        _glued.append(_w)
LAST = _glued

ORGS_FR = [
    "Amnesty International", "la Commission européenne", "le ministère de l'Intérieur", "la Quadrature du Net",
    "la CNIL", "Greenpeace", "Médecins sans frontières", "la Banque de France", "l'Insee", "la SNCF",
    "Air France", "Orange", "Renault", "TotalEnergies", "la Ligue des droits de l'homme", "la Cour des comptes",
    "le Conseil d'État", "l'Assemblée nationale", "le Sénat", "la Fédération française de football",
    "l'Organisation mondiale de la santé", "l'Unicef", "la Croix-Rouge", "Reporters sans frontières",
    "la CGT", "la CFDT", "le Medef", "l'Ademe", "Météo-France", "l'Inserm", "le CNRS", "l'Arcep",
    "la préfecture de police", "la mairie de Paris", "la région Occitanie", "l'Autorité de la concurrence",
]
ORGS_EN = [
    "Amazon", "Microsoft", "IBM", "Google", "Apple", "Meta", "the ACLU", "the Electronic Frontier Foundation",
    "Human Rights Watch", "the World Health Organization", "the European Commission", "the Federal Reserve",
    "the Department of Justice", "the Pentagon", "the White House", "NASA", "the United Nations",
    "the International Monetary Fund", "the World Bank", "Tesla", "Boeing", "Pfizer", "the FBI",
    "the Environmental Protection Agency", "the Federal Trade Commission", "Oxfam", "the Red Cross",
    "the National Weather Service", "the Bank of England", "the OECD", "Transport for London", "Uber",
]
# Organisation names built from parts: hundreds of distinct ones.
ORG_PARTS_FR = ([("l'Association", "f"), ("la Fédération", "f"), ("l'Union", "f"), ("le Syndicat", "m"),
                 ("le Collectif", "m"), ("l'Observatoire", "m"), ("l'Institut", "m"), ("la Fondation", "f")],
                {"f": ["nationale des", "française des", "européenne des", "régionale des", "des"],
                 "m": ["national des", "français des", "européen des", "régional des", "des"]},
                ["agriculteurs", "médecins", "enseignants", "consommateurs", "transporteurs", "libraires",
                 "ingénieurs", "avocats", "locataires", "commerçants", "pharmaciens", "chercheurs", "usagers"])
ORG_PARTS_EN = (["the National", "the American", "the European", "the International", "the Federal"],
                ["Association of", "Council of", "Union of", "Institute of", "Federation of", "Alliance of"],
                ["Teachers", "Physicians", "Farmers", "Engineers", "Consumers", "Retailers", "Nurses",
                 "Pilots", "Librarians", "Researchers", "Truckers", "Tenants", "Pharmacists"])
GROUPS_FR = ["les syndicats", "les manifestants", "les militants écologistes", "les agriculteurs", "les riverains",
             "les enseignants", "les associations", "les habitants", "les chauffeurs de taxi", "les étudiants",
             "les soignants", "les commerçants", "les élus locaux", "les parents d'élèves", "les pêcheurs"]
GROUPS_EN = ["the protesters", "the unions", "the residents", "the activists", "the farmers", "the teachers",
             "the nurses", "the students", "local officials", "the shareholders", "the workers", "the tenants"]
ROLES_FR = ["directrice des technologies et libertés", "porte-parole du gouvernement", "maire de {city}",
            "président de {org}", "directeur général de {org}", "chercheuse au CNRS", "avocat au barreau de {city}",
            "économiste à l'OFCE", "secrétaire général de la CGT", "ministre de la Santé", "ministre de l'Économie",
            "député de {city}", "professeure à l'université de {city}", "médecin à l'hôpital de {city}",
            "responsable de campagne chez Greenpeace", "porte-parole de la préfecture"]
ROLES_EN = ["the chief executive of {org}", "a spokesperson for {org}", "the mayor of {city}",
            "a professor at the University of {city}", "the director of {org}", "a senior analyst at {org}",
            "a lawyer in {city}", "the governor", "a senior fellow at the Brookings Institution",
            "the head of research at {org}", "a doctor in {city}", "an economist at {org}"]
CITIES_FR = ["Paris", "Lyon", "Marseille", "Toulouse", "Bordeaux", "Lille", "Nantes", "Strasbourg", "Rennes",
             "Montpellier", "Grenoble", "Nice", "Bruxelles", "Genève", "Montréal", "Dakar", "Rouen", "Brest"]
CITIES_EN = ["London", "New York", "Seattle", "Chicago", "Boston", "San Francisco", "Washington", "Toronto",
             "Sydney", "Dublin", "Manchester", "Atlanta", "Denver", "Austin", "Portland", "Edinburgh"]
SITES_FR = ["www.lemonde-actu.fr", "www.infos-quotidiennes.fr", "www.lci.fr", "actu.ouest-regions.fr",
            "www.journal-du-net.info", "www.lepoint-info.fr", "www.numerama-actu.com", "www.franceinfo-regions.fr"]
SITES_EN = ["www.eff.org", "www.aclu.org", "www.dailytech-news.com", "www.theworldreport.com",
            "news.metro-herald.co.uk", "www.citywire-news.com", "www.techdesk.io", "www.globalpost-news.org"]

# Topics: keywords, headline templates, sentences, quotes. {org} {city} {n} {person} fill in.
TOPICS_FR = {
    "tech": {
        "kw": ["la reconnaissance faciale", "la surveillance", "les données personnelles", "l'intelligence artificielle",
               "les caméras", "les algorithmes", "la vidéosurveillance", "le logiciel Rekognition"],
        "head": ["{org} sous pression pour arrêter de vendre sa technologie de reconnaissance faciale",
                 "Reconnaissance faciale : {org} suspend ses contrats avec la police",
                 "À {city}, la vidéosurveillance algorithmique fait débat",
                 "Les données personnelles de {n} 000 usagers exposées",
                 "{org} promet un moratoire sur la reconnaissance faciale"],
        "sent": ["Le recours à {kw} par les forces de l'ordre suscite de vives critiques à {city}.",
                 "Selon un rapport publié {weekday}, le recours à {kw} concerne déjà plus de {n} communes.",
                 "Les associations de défense des libertés dénoncent depuis des mois l'usage de {kw}.",
                 "La technologie de reconnaissance faciale se trompe plus souvent sur les personnes de couleur.",
                 "{org} a annoncé {weekday} suspendre la vente de ses outils de reconnaissance faciale.",
                 "Le texte prévoit un encadrement strict de {kw} dans l'espace public.",
                 "Plus de {n} 000 citoyens ont signé une pétition contre {kw}.",
                 "La reconnaissance des visages dans la foule reste techniquement fragile, préviennent les experts.",
                 "Un audit indépendant a relevé de nombreuses erreurs dans le système déployé à {city}.",
                 "Le gouvernement assure que le dispositif ne sera utilisé qu'à titre expérimental."],
        "quote": ["Nous ne pouvons pas accepter une surveillance de masse de la population",
                  "Cette technologie n'est pas prête et elle ne le sera peut-être jamais",
                  "Il aura fallu deux ans pour en arriver là, mais nous sommes heureux que l'entreprise ait enfin reconnu les dangers",
                  "La reconnaissance faciale menace la liberté de tous les citoyens",
                  "Nous demandons un moratoire immédiat sur ces outils",
                  "Les garanties prévues par le texte sont largement insuffisantes",
                  "Personne ne devrait être suivi à la trace dans la rue sans le savoir"],
    },
    "climat": {
        "kw": ["le réchauffement climatique", "la sécheresse", "les émissions de CO2", "la transition énergétique",
               "les énergies renouvelables", "la canicule", "les inondations"],
        "head": ["Canicule : {city} placée en vigilance rouge", "{org} dévoile son plan pour le climat",
                 "Sécheresse : des restrictions d'eau dans {n} départements",
                 "Les émissions de CO2 ont reculé de {pct} % l'an dernier"],
        "sent": ["Les températures ont dépassé les {deg} degrés {weekday} à {city}.",
                 "Les scientifiques alertent depuis des années sur {kw}.",
                 "Selon {org}, la facture pourrait atteindre plusieurs milliards d'euros d'ici à 2050.",
                 "La préfecture a pris un arrêté limitant l'usage de l'eau dans {n} communes.",
                 "Les agriculteurs de la région redoutent une nouvelle saison difficile.",
                 "Le plan prévoit de doubler la part des énergies renouvelables d'ici à dix ans."],
        "quote": ["Nous n'avons plus le temps d'attendre, il faut agir maintenant",
                  "Cette sécheresse est la pire que nous ayons connue depuis des décennies",
                  "Les engagements pris ne suffiront pas à tenir l'objectif de 1,5 degré",
                  "Chaque dixième de degré compte pour les générations futures",
                  "Nous allons investir massivement dans les énergies renouvelables"],
    },
    "eco": {
        "kw": ["l'inflation", "le pouvoir d'achat", "le chômage", "la croissance", "les taux d'intérêt", "la dette publique"],
        "head": ["L'inflation atteint {pct} % sur un an", "{org} annonce {n} 000 suppressions de postes",
                 "Le chômage recule au troisième trimestre", "Pouvoir d'achat : les mesures du gouvernement"],
        "sent": ["{kw} reste au cœur des préoccupations des ménages, selon un sondage publié {weekday}.",
                 "{org} a revu à la baisse ses prévisions de croissance pour l'année.",
                 "Les prix de l'énergie ont progressé de {pct} % en un an.",
                 "Le gouvernement prévoit un plan de soutien de {n} milliards d'euros.",
                 "Les syndicats réclament une hausse générale des salaires."],
        "quote": ["La situation reste fragile mais nous voyons des signes d'amélioration",
                  "Les ménages les plus modestes sont les premiers touchés par la hausse des prix",
                  "Nous ne laisserons pas les salariés payer la facture de la crise",
                  "Il faut redonner du pouvoir d'achat aux Français"],
    },
    "sante": {
        "kw": ["l'hôpital public", "la vaccination", "les urgences", "la pénurie de médicaments", "l'épidémie"],
        "head": ["Les urgences de {city} au bord de la rupture", "Vaccination : {org} lance une nouvelle campagne",
                 "Pénurie de médicaments : {n} références en tension"],
        "sent": ["Les soignants de {city} ont manifesté {weekday} pour dénoncer le manque de moyens.",
                 "{org} recommande une nouvelle dose pour les personnes les plus fragiles.",
                 "{kw} mobilise plus de {n} 000 professionnels dans le pays.",
                 "Les délais d'attente aux urgences dépassent parfois douze heures."],
        "quote": ["Nous sommes épuisés et nous ne pouvons plus travailler dans ces conditions",
                  "La vaccination reste le meilleur moyen de se protéger",
                  "Il manque des lits, il manque du personnel, il manque de tout"],
    },
}
TOPICS_EN = {
    "tech": {
        "kw": ["facial recognition", "surveillance technology", "personal data", "artificial intelligence",
               "police cameras", "face surveillance", "the Rekognition software"],
        "head": ["{org} under pressure to stop selling facial recognition to police",
                 "{org} pauses facial recognition sales for one year",
                 "{city} votes to ban face surveillance", "Data of {n} million users exposed in breach"],
        "sent": ["The use of {kw} by law enforcement has drawn sharp criticism in {city}.",
                 "A report released on {weekday} found that {kw} was used in more than {n} cities.",
                 "Civil liberties groups have warned for years about {kw}.",
                 "{org} said on {weekday} that it would stop selling its facial recognition tools to police.",
                 "Studies have shown that facial recognition misidentifies people of color more often.",
                 "More than {n},000 people signed a petition against {kw}.",
                 "The company did not respond to a request for comment."],
        "quote": ["We cannot accept mass surveillance of the population",
                  "This technology is not ready and it may never be",
                  "Face surveillance threatens the civil liberties of every person in this country",
                  "We are calling for an immediate moratorium on these tools",
                  "Nobody should be tracked in the street without knowing it"],
    },
    "climate": {
        "kw": ["climate change", "the drought", "carbon emissions", "renewable energy", "the heat wave", "flooding"],
        "head": ["Heat wave: {city} under red alert", "{org} unveils climate plan", "Emissions fell {pct}% last year"],
        "sent": ["Temperatures topped {deg} degrees Celsius on {weekday} in {city}.",
                 "Scientists have warned for years about {kw}.",
                 "{org} estimates that {kw} will cost billions of dollars by 2050.",
                 "Farmers in the region fear another difficult season."],
        "quote": ["We no longer have time to wait, we have to act now",
                  "This is the worst drought we have seen in decades",
                  "Every tenth of a degree matters for future generations"],
    },
    "economy": {
        "kw": ["inflation", "unemployment", "interest rates", "economic growth", "the public debt"],
        "head": ["Inflation hits {pct}% over the year", "{org} to cut {n},000 jobs", "Unemployment falls again"],
        "sent": ["{kw} remains the main concern of households, according to a poll published on {weekday}.",
                 "{org} lowered its growth forecast for the year.",
                 "Energy prices rose {pct}% over the past year.",
                 "Unions are calling for across-the-board pay rises."],
        "quote": ["The situation remains fragile but we are seeing signs of improvement",
                  "The poorest households are the first to suffer from rising prices",
                  "We will not let workers pay for this crisis"],
    },
}
# A small grammar for the prose between quotes: subject (singular or
# plural), verb, object, circumstance; with the topic sentences it gives a
# vocabulary of a few thousand words.
FILL_FR = {
    "subj": [("Le gouvernement", 1), ("La maire de {city}", 1), ("Le préfet", 1), ("Les élus", 2),
             ("Une étude récente", 1), ("Le rapport", 1), ("Les experts", 2), ("La commission d'enquête", 1),
             ("Le tribunal administratif de {city}", 1), ("Les habitants du quartier", 2), ("Le conseil municipal", 1),
             ("Une source proche du dossier", 1), ("Le ministre", 1), ("La direction", 1), ("Les enquêteurs", 2),
             ("L'opposition", 1), ("Les chercheurs", 2), ("Le syndicat majoritaire", 1), ("Le parquet de {city}", 1),
             ("Les usagers", 2), ("{org}", 1), ("{person}", 1)],
    "verb": [("a annoncé", "ont annoncé"), ("a présenté", "ont présenté"), ("a examiné", "ont examiné"),
             ("a rejeté", "ont rejeté"), ("a critiqué", "ont critiqué"), ("a publié", "ont publié"),
             ("a proposé", "ont proposé"), ("a réclamé", "ont réclamé"), ("a défendu", "ont défendu"),
             ("a dévoilé", "ont dévoilé"), ("a contesté", "ont contesté"), ("a salué", "ont salué"),
             ("a recommandé", "ont recommandé"), ("a suspendu", "ont suspendu"), ("a validé", "ont validé"),
             ("a repoussé", "ont repoussé"), ("a obtenu", "ont obtenu"), ("prépare", "préparent"),
             ("attend", "attendent"), ("examine", "examinent")],
    "obj": ["un projet de loi sur {kw}", "un nouveau dispositif de contrôle", "le budget de l'année prochaine",
            "une enquête sur {kw}", "le rapport de la Cour des comptes", "un plan d'investissement de {n} millions d'euros",
            "la réforme des retraites", "un calendrier de concertation", "les conclusions de l'audit",
            "une série de mesures d'urgence", "la fermeture de {n} agences", "un appel d'offres controversé",
            "une expérimentation de deux ans", "la création d'un observatoire indépendant", "un amendement de compromis",
            "les chiffres du dernier trimestre", "une hausse des tarifs de {pct} %", "la relance du chantier",
            "un recours devant le Conseil d'État", "le rachat de son concurrent", "un protocole d'accord"],
    "circ": ["mardi soir", "lors d'une conférence de presse", "après plusieurs mois de négociations",
             "à la surprise générale", "devant les députés", "dans un communiqué", "en fin de journée",
             "au terme d'un long débat", "malgré l'opposition des syndicats", "sans attendre l'avis des experts",
             "pour la deuxième fois cette année", "à {city}", "en marge du sommet de {city}", "d'ici à la fin de l'année",
             "selon nos informations", "à quelques semaines des élections", "dans une lettre ouverte"],
}
FILL_EN = {
    "subj": [("The government", 1), ("The mayor of {city}", 1), ("Lawmakers", 2), ("A recent study", 1),
             ("The report", 1), ("Experts", 2), ("The committee", 1), ("A federal judge in {city}", 1),
             ("Residents", 2), ("The city council", 1), ("A person familiar with the matter", 1),
             ("The minister", 1), ("The board", 1), ("Investigators", 2), ("The opposition", 1), ("Researchers", 2),
             ("The union", 1), ("Prosecutors in {city}", 2), ("Commuters", 2), ("{org}", 1), ("{person}", 1)],
    "verb": [("announced", "announced"), ("unveiled", "unveiled"), ("rejected", "rejected"),
             ("criticized", "criticized"), ("published", "published"), ("proposed", "proposed"),
             ("demanded", "demanded"), ("defended", "defended"), ("challenged", "challenged"),
             ("welcomed", "welcomed"), ("recommended", "recommended"), ("suspended", "suspended"),
             ("approved", "approved"), ("postponed", "postponed"), ("is reviewing", "are reviewing"),
             ("is preparing", "are preparing"), ("has questioned", "have questioned")],
    "obj": ["a bill on {kw}", "a new oversight board", "next year's budget", "an inquiry into {kw}",
            "an audit of the program", "a {n} million dollar investment plan", "the pension reform",
            "a timetable for talks", "the findings of the review", "a set of emergency measures",
            "the closure of {n} branches", "a disputed contract", "a two-year pilot program",
            "an independent watchdog", "a compromise amendment", "the latest quarterly figures",
            "a {pct}% fare increase", "the takeover of a rival", "a memorandum of understanding"],
    "circ": ["on Tuesday evening", "at a news conference", "after months of talks", "to widespread surprise",
             "before Congress", "in a statement", "late in the day", "after a long debate",
             "despite opposition from unions", "without waiting for expert advice", "for the second time this year",
             "in {city}", "on the sidelines of the {city} summit", "by the end of the year",
             "weeks before the election", "in an open letter"],
}
VERBS_FR_PAST = ["déclaré", "affirmé", "indiqué", "expliqué", "souligné", "estimé", "précisé", "ajouté", "assuré",
                 "dénoncé", "prévenu", "réagi", "martelé", "rappelé", "insisté"]
VERBS_FR_PRES = ["explique", "souligne", "prévient", "estime", "affirme", "ajoute", "assure", "écrit", "dénonce"]
VERBS_EN = ["said", "added", "wrote", "explained", "warned", "argued", "noted", "told reporters"]
WEEKDAYS_FR = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
WEEKDAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS_FR = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre"]
MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"]
RFC_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
RFC_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
CHROME_TOP = ["Skip to main content", "Aller au contenu principal", "Skip to content", "Menu", "Accueil"]
CHROME_MID = ["Publicité", "Advertisement", "Lire aussi", "Read more", "À lire aussi"]
CHROME_BOTTOM_FR = ["Sur le même sujet", "Plus d'articles", "Lire et commenter", "Partager", "Partager cet article",
                    "Newsletter", "Abonnez-vous"]
CHROME_BOTTOM_EN = ["Share this article", "Related articles", "Read more", "Sign up", "Subscribe", "Share"]
SECTIONS = ["International", "Économie", "Société", "Politique", "Tech", "Planète", "Santé", "World", "Business",
            "Science", "DirectLCI", "Opinion"]


# ------------------------------------------------------------------- speakers
class Population:
    """The speakers, ranked: rank r is quoted with weight 1 / r^1.07."""

    def __init__(self, seed, persons=12000):
        rnd = random.Random("population-%d" % seed)
        firsts = sorted(FIRST)
        seen, people = set(), []
        persons = min(persons, len(FIRST) * len(LAST) // 2)
        while len(people) < persons:
            f, l = rnd.choice(firsts), rnd.choice(LAST)
            if (f, l) in seen:
                continue
            seen.add((f, l))
            lang = rnd.choice("fe")
            people.append({"kind": "person", "name": f + " " + l, "last": l, "g": FIRST[f], "lang": lang,
                           "role": rnd.choice(ROLES_FR if lang == "f" else ROLES_EN)})
        orgs = [{"kind": "org", "name": o, "lang": "f"} for o in ORGS_FR]
        orgs += [{"kind": "org", "name": o, "lang": "e"} for o in ORGS_EN]
        for a, g in ORG_PARTS_FR[0]:
            for b in ORG_PARTS_FR[1][g]:
                for c in ORG_PARTS_FR[2]:
                    orgs.append({"kind": "org", "name": "%s %s %s" % (a, b, c), "lang": "f"})
        for a in ORG_PARTS_EN[0]:
            for b in ORG_PARTS_EN[1]:
                for c in ORG_PARTS_EN[2]:
                    orgs.append({"kind": "org", "name": "%s %s %s" % (a, b, c), "lang": "e"})
        groups = [{"kind": "group", "name": g, "lang": "f"} for g in GROUPS_FR]
        groups += [{"kind": "group", "name": g, "lang": "e"} for g in GROUPS_EN]
        everyone = people + orgs + groups
        rnd.shuffle(everyone)
        self.by_lang = {}
        for lang in "fe":
            ranked = [s for s in everyone if s["lang"] == lang or (s["kind"] == "person" and rnd.random() < 0.15)]
            cum, total = [], 0.0
            for r in range(len(ranked)):
                total += 1.0 / (r + 1) ** 1.07
                cum.append(total)
            self.by_lang[lang] = (ranked, cum, total)

    def pick(self, rnd, lang):
        ranked, cum, total = self.by_lang[lang]
        return ranked[bisect.bisect_left(cum, rnd.random() * total)]


# --------------------------------------------------------------------- text
def cap(s):
    return s[:1].upper() + s[1:] if s else s


def fill(t, rnd, lang, topic):
    fr = lang == "f"
    if "{person}" in t:
        t = t.replace("{person}", rnd.choice(sorted(FIRST)) + " " + rnd.choice(LAST))
    return (t.replace("{kw}", rnd.choice(topic["kw"]))
             .replace("{pct}", str(rnd.randint(2, 15)))
             .replace("{deg}", str(rnd.randint(35, 46)))
             .replace("{org}", rnd.choice(ORGS_FR if fr else ORGS_EN))
             .replace("{city}", rnd.choice(CITIES_FR if fr else CITIES_EN))
             .replace("{weekday}", rnd.choice(WEEKDAYS_FR if fr else WEEKDAYS_EN))
             .replace("{n}", str(rnd.choice([3, 5, 12, 17, 20, 40, 70, 150, 300, 650]))))


def sentence(rnd, lang, topic):
    if rnd.random() < 0.5:
        return cap(fill(rnd.choice(topic["sent"]), rnd, lang, topic))
    g = FILL_FR if lang == "f" else FILL_EN
    subj, number = rnd.choice(g["subj"])
    verb = rnd.choice(g["verb"])[number - 1]
    parts = [subj, verb, rnd.choice(g["obj"])]
    if rnd.random() < 0.7:
        parts.append(rnd.choice(g["circ"]))
    return cap(fill(" ".join(parts), rnd, lang, topic)) + "."


def quote_text(rnd, lang, topic):
    q = fill(rnd.choice(topic["quote"]), rnd, lang, topic)
    if rnd.random() < 0.35:  # a second sentence inside the same quote
        q += ". " + fill(rnd.choice(topic["quote"]), rnd, lang, topic)
    return q


def speaker_ref(sp, first, rnd, lang):
    """How the text names a speaker: full name + role the first time."""
    name = sp["name"]
    if sp["kind"] == "person":
        if not first:
            return sp["last"] if rnd.random() < 0.5 else name
        role = sp["role"].replace("{org}", rnd.choice(ORGS_FR if lang == "f" else ORGS_EN)).replace(
            "{city}", rnd.choice(CITIES_FR if lang == "f" else CITIES_EN))
        return name + ", " + role if rnd.random() < 0.5 else name
    return name


def de(name):
    """French "de" before a name, with its article contracted."""
    for art, out in (("le ", "du "), ("la ", "de la "), ("l'", "de l'"), ("les ", "des ")):
        if name.startswith(art):
            return out + name[len(art):]
    return ("d'" if name[:1] in "AEIOUÉ" else "de ") + name


def attribute_fr(rnd, q, sp, first, prev_person):
    ref = speaker_ref(sp, first, rnd, "f")
    subj = cap(ref)
    v = rnd.choice(VERBS_FR_PAST)
    c = rnd.randrange(9)
    if c == 0:
        return "« %s », a %s %s." % (q, v, ref)
    if c == 1:
        return "%s a %s : « %s »." % (subj, v, q)
    if c == 2:
        return "Selon %s, « %s »." % (ref, q)
    if c == 3 and prev_person is sp:
        pron = "il" if sp.get("g") == "m" else "elle"
        verb = rnd.choice(["écrit", "ajoute", "explique", "poursuit", "précise"])
        t = "-t-" if verb.endswith(("e", "a")) else "-"
        return "« %s », %s%s%s." % (q, verb, t, pron)
    if c == 4:
        return "« %s », %s %s." % (q, rnd.choice(VERBS_FR_PRES), ref)
    if c == 5:
        return "« %s », selon %s." % (q, ref)
    if c == 6 and sp["kind"] == "org":
        return "« %s », a %s un porte-parole %s." % (q, v, de(sp["name"]))
    if c == 7:
        return "D'après %s, « %s »." % (ref, q)
    return "%s a %s %s : « %s »." % (subj, v, rnd.choice(WEEKDAYS_FR), q)


def attribute_en(rnd, q, sp, first, prev_person):
    ref = speaker_ref(sp, first, rnd, "e")
    subj = cap(ref)
    oq, cq = ('"', '"') if rnd.random() < 0.7 else ("“", "”")
    c = rnd.randrange(8)
    if c == 0:
        return "%s%s,%s said %s." % (oq, q, cq, ref)
    if c == 1:
        return "%s%s,%s %s said." % (oq, q, cq, subj)
    if c == 2:
        return "%s said: %s%s.%s" % (subj, oq, q, cq)
    if c == 3:
        return "According to %s, %s%s.%s" % (ref, oq, q, cq)
    if c == 4 and prev_person is sp:
        pron = "he" if sp.get("g") == "m" else "she"
        return "%s%s,%s %s %s." % (oq, q, cq, pron, rnd.choice(["added", "wrote", "said"]))
    if c == 5 and sp["kind"] == "org":
        return "%s%s,%s a spokesperson for %s said." % (oq, q, cq, sp["name"].replace("the ", ""))
    if c == 6:
        return "%s %s: %s%s.%s" % (subj, rnd.choice(VERBS_EN), oq, q, cq)
    return "%s%s,%s %s %s." % (oq, q, cq, rnd.choice(["said", "explained", "warned"]), ref)


# --------------------------------------------------------------------- dates
START = datetime.date(2005, 1, 1).toordinal()
END = datetime.date(2024, 12, 31).toordinal()


def pick_date(rnd):
    # More articles in recent years: a square-root ramp over the 20 years.
    return datetime.date.fromordinal(START + int((END - START) * rnd.random() ** 0.75))


def dateline(rnd, d, lang, precision):
    if precision == "month":
        return "%s %d" % (cap(MONTHS_FR[d.month - 1]) if lang == "f" else MONTHS_EN[d.month - 1], d.year)
    wd = d.weekday()
    if lang == "f":
        c = rnd.randrange(5)
        if c == 0:
            return "%d %s, %d" % (d.day, cap(MONTHS_FR[d.month - 1]), d.year)
        if c == 1:
            return "%s %d %s %d" % (WEEKDAYS_FR[wd], d.day, MONTHS_FR[d.month - 1], d.year)
        if c == 2:
            return "Publié le %02d/%02d/%d à %dh%02d" % (d.day, d.month, d.year, rnd.randrange(6, 23), rnd.randrange(60))
        if c == 3:
            return "Mis à jour le %s %d %s %d à %dh%02d" % (WEEKDAYS_FR[wd], d.day, MONTHS_FR[d.month - 1], d.year,
                                                            rnd.randrange(6, 23), rnd.randrange(60))
        return "%d %s %d" % (d.day, MONTHS_FR[d.month - 1], d.year)
    c = rnd.randrange(4)
    if c == 0:
        return "%s %d, %d" % (MONTHS_EN[d.month - 1], d.day, d.year)
    if c == 1:
        return "Published on %s, %s %d, %d" % (WEEKDAYS_EN[wd], MONTHS_EN[d.month - 1], d.day, d.year)
    if c == 2:
        return "Posted: %s %d, %d at %d:%02d pm" % (MONTHS_EN[d.month - 1], d.day, d.year, rnd.randrange(1, 12),
                                                     rnd.randrange(60))
    return "%d-%02d-%02d" % (d.year, d.month, d.day)


def rfc2822(rnd, d):
    return "%s, %02d %s %d %02d:%02d:%02d +0000" % (RFC_DAYS[d.weekday()], d.day, RFC_MONTHS[d.month - 1], d.year,
                                                    rnd.randrange(24), rnd.randrange(60), rnd.randrange(60))


def slug(title):
    out = []
    for ch in title.lower():
        if "a" <= ch <= "z" or "0" <= ch <= "9":
            out.append(ch)
        elif out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-")[:60]


def mojibake(text):
    """UTF-8 read as Windows-1252, as badly configured crawlers do."""
    out = []
    for b in text.encode("utf-8"):
        try:
            out.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(b))
    return "".join(out)


# ------------------------------------------------------------------- article
def article(seed, i, pop):
    rnd = random.Random("%d:%d" % (seed, i))
    lang = "f" if rnd.random() < 0.6 else "e"
    topics = TOPICS_FR if lang == "f" else TOPICS_EN
    topic = topics[rnd.choice(sorted(topics))]
    target = int(rnd.triangular(2000, 8000, 3500))
    title = cap(fill(rnd.choice(topic["head"]), rnd, lang, topic))
    d = pick_date(rnd)
    site = rnd.choice(SITES_FR if lang == "f" else SITES_EN)
    url = "https://%s/%d/%02d/%s" % (site, d.year, d.month, slug(title))

    # How the date is given: marker (day, month or year), dateline (day or
    # month), RFC 2822 footer stamp, or nothing.
    r = rnd.random()
    how = ("marker-month" if r < 0.15 else "marker-year" if r < 0.22 else "marker-day" if r < 0.27 else
           "dateline-day" if r < 0.57 else "dateline-month" if r < 0.65 else "stamp" if r < 0.82 else "none")

    head, lines = [], []
    if how.startswith("marker"):
        fmt = {"marker-month": "%Y-%m", "marker-year": "%Y", "marker-day": "%Y-%m-%d"}[how]
        head.append(" date %s " % d.strftime(fmt))
    if rnd.random() < 0.3 and not head:
        lines.append(rnd.choice(CHROME_TOP))
    dated = how == "dateline-day" and rnd.random() < 0.5
    if dated:  # before the headline, as in db/articles/001_*
        lines.append(dateline(rnd, d, lang, "day"))
    t = rnd.random()
    if head:
        if t < 0.3:  # the story starts right after the marker, as in the seeds
            pass
        else:
            lines += [title, title]
    elif t < 0.75:
        lines += [title, title]
    elif t < 0.95:
        lines.append(title)
    if rnd.random() < 0.15:
        lines.append(rnd.choice(SECTIONS))
    if how == "dateline-day" and not dated:
        lines.append(dateline(rnd, d, lang, "day"))
    elif how == "dateline-month":
        lines.append(dateline(rnd, d, lang, "month"))

    # Body paragraphs with quotes.
    size = sum(len(l) for l in lines) + len(title)
    cast = [pop.pick(rnd, lang) for _ in range(rnd.randint(1, 4))]
    named, prev = set(), None
    attribute = attribute_fr if lang == "f" else attribute_en
    paragraphs = 0
    while size < target:
        if rnd.random() < 0.3 and paragraphs > 0:
            sp = rnd.choice(cast) if rnd.random() < 0.8 else pop.pick(rnd, lang)
            p = attribute(rnd, quote_text(rnd, lang, topic), sp, id(sp) not in named, prev)
            named.add(id(sp))
            prev = sp if sp["kind"] == "person" else None
            if rnd.random() < 0.5:
                p = sentence(rnd, lang, topic) + " " + p
        else:
            p = " ".join(sentence(rnd, lang, topic) for _ in range(rnd.randint(1, 4)))
        lines.append(p)
        size += len(p.encode("utf-8")) + 2
        paragraphs += 1
        if rnd.random() < 0.04:
            lines.append(rnd.choice(CHROME_MID))
    if how == "stamp":
        if lang == "f":
            lines.append("Cet article est une traduction automatique d’un post publié sur le site de %s à l’URL %s "
                         "le %s." % (rnd.choice(ORGS_FR), url, rfc2822(rnd, d)))
        else:
            lines.append("This article was originally published at %s on %s." % (url, rfc2822(rnd, d)))
    elif rnd.random() < 0.35:
        lines.append(url)
    for _ in range(rnd.randint(0, 3)):
        lines.append(rnd.choice(CHROME_BOTTOM_FR if lang == "f" else CHROME_BOTTOM_EN))

    # The marker and the first line share a line, as in db/articles/000_*.
    text = "".join(head) + "\n\n".join(lines) + "\n"
    if rnd.random() < 0.01:
        text = mojibake(text)
    if rnd.random() < 0.03:
        text = text.replace("\n", "\r\n")
    name = "%06d_%s.txt" % (i, hashlib.sha1(("%d-%d" % (seed, i)).encode()).hexdigest()[:16])
    return name, text.encode("utf-8")


_POP = None


def _init(seed):
    global _POP
    _POP = Population(seed)


def _write(job):
    seed, out, lo, hi = job
    total = 0
    for i in range(lo, hi):
        name, data = article(seed, i, _POP)
        path = os.path.join(out, name)
        with open(path + ".tmp", "wb") as f:
            f.write(data)
        os.replace(path + ".tmp", path)
        total += len(data)
    return total


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, required=True, help="number of articles")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", required=True, help="folder to write (created)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    step = 500
    jobs = [(a.seed, a.out, lo, min(lo + step, a.n)) for lo in range(0, a.n, step)]
    if a.jobs > 1 and len(jobs) > 1:
        with multiprocessing.Pool(a.jobs, initializer=_init, initargs=(a.seed,)) as pool:
            total = sum(pool.imap_unordered(_write, jobs))
    else:
        _init(a.seed)
        total = sum(map(_write, jobs))
    stamp = {"generator": GEN_VERSION, "seed": a.seed, "n": a.n, "bytes": total}
    with open(os.path.join(a.out, ".generated.json"), "w") as f:
        json.dump(stamp, f)
    print("generate: %d articles, %d bytes in %s" % (a.n, total, a.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
