"""The demo organisation's content as plain data, so a newcomer sees a lived-in month of work.

Gemeente Zuiderhaven is fictional; the seed command turns these records into rows, and tests and
benchmarks use them as realistic input without a database. This module is long because it is
data: a month of stories, people and channels, written out.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.fragments.splitting import OrgSettings, PhotoInput, StoryInput

WEBSITE = "https://www.zuiderhaven.nl"


@dataclass(frozen=True, slots=True)
class DemoPerson:
    name: str
    job_title: str
    #: The role in Contentfabriek: admin, editor or contributor.
    role: str
    email: str


@dataclass(frozen=True, slots=True)
class DemoTheme:
    name: str
    description: str
    #: Percentage of published fragments the team aims for; all themes add up to 100.
    target_share: int


@dataclass(frozen=True, slots=True)
class DemoCampaign:
    name: str
    description: str
    #: Days after the demo's reference date (the day it is seeded) that the campaign starts.
    start_offset_days: int
    duration_days: int
    themes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DemoChannel:
    name: str
    kind_key: str
    #: Hex colour for the calendar; white text on it meets WCAG AA (contrast at least 4.5:1).
    colour: str
    #: Planned fragments per week; the monthly newsletter is a quarter.
    cadence_per_week: float
    handle: str | None = None


@dataclass(frozen=True, slots=True)
class DemoPhoto:
    key: str
    alt: str
    width: int
    height: int
    focal_x: float = 0.5
    focal_y: float = 0.5


@dataclass(frozen=True, slots=True)
class DemoStory:
    key: str
    title: str
    body: str
    #: Who brought the story in: employee, resident, partner or organisation.
    source: str
    contributor: str
    themes: tuple[str, ...]
    campaign: str | None = None
    photos: tuple[DemoPhoto, ...] = ()

    @property
    def url(self) -> str:
        return f"{WEBSITE}/nieuws/{self.key}"


ORGANISATION_NAME = "Gemeente Zuiderhaven"
ORG_SETTINGS = OrgSettings(name="Zuiderhaven", hashtag="Zuiderhaven", default_campaign=None)

PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("Eva de Vries", "teamleider Communicatie", "admin", "eva.devries@zuiderhaven.nl"),
    DemoPerson("Sanne Bakker", "communicatieadviseur", "editor", "sanne.bakker@zuiderhaven.nl"),
    DemoPerson("Daan Visser", "webredacteur", "editor", "daan.visser@zuiderhaven.nl"),
    DemoPerson(
        "Mehmet Yilmaz", "medewerker Stadsbeheer", "contributor", "mehmet.yilmaz@zuiderhaven.nl"
    ),
)

THEMES: tuple[DemoTheme, ...] = (
    DemoTheme(
        "Veiligheid",
        "Een veilige buurt: verkeer, wijkagenten, verlichting en wat je zelf kunt doen.",
        20,
    ),
    DemoTheme(
        "Toegankelijkheid",
        "Iedereen doet mee: drempels weg, in de stad en in onze eigen teksten en diensten.",
        20,
    ),
    DemoTheme(
        "Inspraak",
        "Inwoners denken en beslissen mee over hun straat, hun wijk en hun stad.",
        20,
    ),
    DemoTheme(
        "Duurzaamheid",
        "Minder afval, schone energie, groen in de wijk en spullen die langer meegaan.",
        25,
    ),
    DemoTheme(
        "Werken bij de gemeente",
        "Laten zien wie het werk doen, zodat nieuwe collega's ons vinden.",
        15,
    ),
)

CAMPAIGNS: tuple[DemoCampaign, ...] = (
    DemoCampaign(
        "Schoon de feestdagen door",
        "Wanneer je afval wordt opgehaald rond de feestdagen, en wat je met je kerstboom doet.",
        start_offset_days=-7,
        duration_days=35,
        themes=("Duurzaamheid",),
    ),
    DemoCampaign(
        "Kom werken bij Zuiderhaven",
        "Collega's vertellen over hun werk; de open dag op de gemeentewerf is het hoogtepunt.",
        start_offset_days=0,
        duration_days=42,
        themes=("Werken bij de gemeente",),
    ),
    DemoCampaign(
        "Samen bouwen aan de buurt",
        "Inwoners praten mee over speelplekken, fietspaden en de inrichting van hun wijk.",
        start_offset_days=-14,
        duration_days=60,
        themes=("Inspraak",),
    ),
)

CHANNELS: tuple[DemoChannel, ...] = (
    DemoChannel("Mastodon @zuiderhaven", "mastodon", "#5B3FC4", 5, "@zuiderhaven@social.example"),
    DemoChannel("Bluesky", "bluesky", "#0A5CC2", 5, "@zuiderhaven.nl"),
    DemoChannel("LinkedIn-pagina", "linkedin", "#0A66C2", 2),
    DemoChannel("Facebookpagina", "facebook", "#1A55B5", 3),
    DemoChannel("Instagram", "instagram", "#B0275E", 3, "@gemeentezuiderhaven"),
    DemoChannel("Nieuws op zuiderhaven.nl", "blog", "#1F6B4F", 2),
    DemoChannel("Maandelijkse nieuwsbrief", "newsletter", "#8A4B08", 0.25),
    DemoChannel("Webhook website", "webhook", "#4A5560", 2),
)

STORIES: tuple[DemoStory, ...] = (
    DemoStory(
        key="speeltuin-de-kreek-open",
        title="Nieuwe speeltuin De Kreek samen met buurtkinderen geopend",
        source="organisation",
        contributor="Daan Visser",
        themes=("Inspraak", "Toegankelijkheid"),
        campaign="Samen bouwen aan de buurt",
        photos=(
            DemoPhoto(
                "kreek-glijbaan",
                "Kinderen glijden van de nieuwe brede glijbaan in speeltuin De Kreek.",
                1600,
                1067,
                0.4,
                0.5,
            ),
            DemoPhoto(
                "kreek-schommel",
                "Een meisje in een rolstoel op de nieuwe nestschommel, haar vader duwt.",
                1080,
                1350,
                0.5,
                0.35,
            ),
        ),
        body="""\
Zaterdag is speeltuin De Kreek in de wijk Havenkwartier weer open. Kinderen uit de buurt hebben
het ontwerp zelf bedacht, en zij knipten ook het lint door.

## Ontworpen door de buurt

Vorig jaar vroegen we inwoners van het Havenkwartier wat zij misten in de oude speeltuin. Ruim
zestig kinderen tekenden hun droomspeeltuin. Ouders en buren kwamen drie avonden naar het
buurthuis om mee te denken. Daaruit kwamen duidelijke wensen:

- een glijbaan waar je met z'n tweeën af kunt
- een schommel waar ook kinderen in een rolstoel in kunnen
- meer schaduw en bankjes voor ouders en opa's en oma's
- geen afstapje bij de ingang

Al die wensen zitten in de nieuwe speeltuin. De paden zijn vlak en breed, zodat je er met een
rolstoel, rollator of kinderwagen overal kunt komen. Er staan zes nieuwe bomen die over een paar
jaar flink schaduw geven.

## Eerste glijbaan

"Ik heb de glijbaan getekend en nu staat hij er echt," zegt Noor (9). Zij mocht samen met
wethouder Jansen als eerste naar beneden.

Wethouder Jansen is blij met de hulp van de buurt: "Kinderen weten het best waar ze graag
spelen. Dankzij hun ideeën is dit een speeltuin voor echt iedereen."

## Iets kapot of een idee?

Zie je iets wat kapot is, of heb je een idee voor een andere speelplek? Meld het via
[zuiderhaven.nl/melding](https://www.zuiderhaven.nl/melding) of bel 14 0123.
""",
    ),
    DemoStory(
        key="afval-feestdagen",
        title="Zo wordt je afval opgehaald tijdens de feestdagen",
        source="organisation",
        contributor="Sanne Bakker",
        themes=("Duurzaamheid",),
        campaign="Schoon de feestdagen door",
        photos=(
            DemoPhoto(
                "afval-kerstbomen",
                "Een medewerker gooit kerstbomen in een vuilniswagen in een straat met "
                "rijtjeshuizen.",
                1600,
                900,
                0.55,
                0.5,
            ),
        ),
        body="""\
Rond Kerst en Oud en Nieuw haalt de gemeente je afval op andere dagen op dan je gewend bent. Kijk
dus even in de afvalkalender, dan staat je container niet voor niets aan de straat.

## De belangrijkste wijzigingen

- Op **eerste en tweede kerstdag** halen we geen afval op. Die ophaalronde schuift een dag op.
- Op **nieuwjaarsdag** halen we ook niets op. Woon je in een wijk waar we normaal op woensdag
  komen? Dan komen we op donderdag 2 januari.
- De milieustraat is op 24 en 31 december open tot 14.00 uur.

In de app Afvalwijzer en op [zuiderhaven.nl/afval](https://www.zuiderhaven.nl/afval) zie je per
adres wanneer we langskomen. Zet je container de avond ervoor aan de straat, of uiterlijk om
7.30 uur.

## Je kerstboom

Vanaf maandag 6 januari halen we kerstbomen op. Leg je boom zonder versiering, pot of kluit op
de plek waar je ook je groene container neerzet. Van de bomen maken we compost voor de parken in
Zuiderhaven.

## Vuurwerkafval

Ruim na de jaarwisseling je vuurwerkresten op en gooi ze bij het restafval. Laat ze niet op
straat liggen: er zitten soms nog kruitresten in. Let op met niet-afgestoken vuurwerk. Leg dat in
een emmer water en breng het daarna naar de milieustraat.

Heb je een vraag over je afval? Bel ons op 14 0123. We helpen je graag.
""",
    ),
    DemoStory(
        key="wijkagent-op-de-fiets",
        title="Wijkagent Karim doet zijn ronde voortaan op de fiets",
        source="partner",
        contributor="Karim El Amrani",
        themes=("Veiligheid", "Duurzaamheid"),
        photos=(
            DemoPhoto(
                "wijkagent-fiets",
                "Wijkagent Karim El Amrani op zijn politiefiets, in gesprek met een vrouw op de "
                "stoep.",
                1080,
                1350,
                0.5,
                0.4,
            ),
        ),
        body="""\
Wijkagent Karim El Amrani zie je in de Noordwijk voortaan vaker: hij doet zijn ronde niet meer met
de auto, maar op de fiets.

"Vanuit een auto zie je alleen straten," zegt Karim. "Op de fiets zie je mensen. Ik stop bij het
schoolplein, bij de snackbar en bij de bankjes in het park. Dan hoor ik wat er speelt."

## Sneller dichtbij

De Noordwijk heeft veel smalle straatjes en fietspaden. Daar is Karim op de fiets vaak sneller
dan met de auto. Hij heeft een elektrische politiefiets met een tas voor zijn spullen. Zo kan hij
ook snel ergens zijn als er iets gebeurt.

De gemeente en de politie werken samen aan een veilige wijk. Karim praat elke maand met de
buurtconciërge en met de jongerenwerker. Samen kijken ze naar plekken waar mensen zich niet
veilig voelen. Zo kwam er vorig jaar extra verlichting in het Molenpad.

## Spreek hem aan

Karim hoopt dat inwoners hem vaker aanspreken. "Je hoeft geen afspraak te maken. Zie je me
fietsen? Steek je hand op, dan stop ik."

Heb je geen spoed, maar wil je wel iets kwijt? Je kunt Karim ook bereiken via 0900-8844 of via de
website van de politie. Bij spoed bel je altijd 112.
""",
    ),
    DemoStory(
        key="bewonerspanel-fietspad-havenweg",
        title="Bewonerspanel denkt mee over nieuw fietspad langs de Havenweg",
        source="organisation",
        contributor="Sanne Bakker",
        themes=("Inspraak", "Veiligheid"),
        campaign="Samen bouwen aan de buurt",
        photos=(
            DemoPhoto(
                "panel-kaart",
                "Inwoners buigen zich over een grote kaart van de Havenweg en plakken "
                "gekleurde stickers.",
                1600,
                1067,
                0.5,
                0.5,
            ),
        ),
        body="""\
Langs de Havenweg komt een nieuw, breed fietspad. Hoe het er precies uit gaat zien, bepalen we
samen met een panel van twintig inwoners.

De Havenweg is een drukke weg. Fietsers rijden nu op een smalle strook naast auto's en
vrachtwagens. Veel ouders laten hun kinderen daarom niet alleen naar school fietsen. Dat moet
anders, vindt de gemeenteraad.

## Wie zitten er in het panel?

Het panel is een mix van mensen die de weg goed kennen: scholieren, ouders, een bezorger, twee
ondernemers en een inwoner met een scootmobiel. We hebben de leden geloot uit iedereen die zich
aanmeldde.

Het panel komt vier keer bij elkaar. De eerste avond liepen de leden samen met een
verkeerskundige over de Havenweg. Ze plakten stickers op een grote kaart: rood voor gevaarlijke
plekken, groen voor plekken die goed gaan.

"Ik fiets hier elke dag naar mijn werk," vertelt panellid Joyce. "Bij de kruising met de
Dokstraat schrik ik elke keer. Fijn dat ik dat nu aan de ontwerpers kan laten zien."

## Wat gebeurt er met het advies?

De ontwerpers maken op basis van het advies twee schetsen. Het panel kiest in maart de beste.
Daarna beslist de gemeenteraad. Als alles volgens plan gaat, begint de aanleg na de zomer.

Woon je in de buurt en wil je op de hoogte blijven? Meld je aan voor de nieuwsbrief via
[zuiderhaven.nl/havenweg](https://www.zuiderhaven.nl/havenweg).
""",
    ),
    DemoStory(
        key="mehmet-repareert-bankjes",
        title="Mehmet geeft oude bankjes een tweede leven",
        source="employee",
        contributor="Mehmet Yilmaz",
        themes=("Werken bij de gemeente", "Duurzaamheid"),
        campaign="Kom werken bij Zuiderhaven",
        photos=(
            DemoPhoto(
                "mehmet-werkplaats",
                "Mehmet Yilmaz schuurt een houten parkbank in de werkplaats van de gemeentewerf.",
                1600,
                1067,
                0.45,
                0.45,
            ),
            DemoPhoto(
                "bankje-park",
                "Een opgeknapte groene parkbank met nieuwe houten latten in het Stadspark.",
                1080,
                1080,
                0.5,
                0.6,
            ),
        ),
        body="""\
In de werkplaats op de gemeentewerf staat een rij parkbankjes. Sommige missen een lat, andere zijn
beklad of verrot. Over een paar weken staan ze weer als nieuw in het park. Dat is het werk van
Mehmet Yilmaz.

Mehmet werkt al twaalf jaar bij Stadsbeheer. "Vroeger gooiden we een kapot bankje gewoon weg en
kwam er een nieuwe," vertelt hij. "Zonde, want het ijzeren frame gaat vaak nog dertig jaar mee."

## Hout uit eigen parken

Tegenwoordig haalt Mehmet het oude hout eraf. Het frame maakt hij schoon en schildert hij opnieuw.
De nieuwe latten zaagt hij uit eikenhout van bomen die de gemeente moest kappen. Zo blijft het
hout in Zuiderhaven.

Een opgeknapt bankje kost ongeveer een derde van een nieuw bankje. Vorig jaar knapte Mehmet er
zo'n honderd op. Dat scheelt geld en veel afval.

## Meer dan timmeren

Zijn werk is meer dan timmeren, vindt Mehmet. "Als ik een bankje terugzet, komen er altijd mensen
naar me toe. Een oudere meneer vertelde dat hij er elke ochtend de krant leest. Dan weet je
waarvoor je het doet."

Mehmet leidt nu ook twee leerlingen op. Zij leren bij hem schuren, zagen en lassen. "Ik hoop dat
zij dit werk straks van mij overnemen."

Wil jij ook met je handen werken voor de stad? Stadsbeheer zoekt nieuwe collega's. Kijk op
[werkenbij.zuiderhaven.nl](https://werkenbij.zuiderhaven.nl).
""",
    ),
    DemoStory(
        key="vrijwilliger-bibliotheek-ria",
        title="Ria helpt in de bibliotheek met formulieren en de DigiD-app",
        source="partner",
        contributor="Ria Jansen",
        themes=("Toegankelijkheid",),
        photos=(
            DemoPhoto(
                "ria-digid",
                "Vrijwilliger Ria Jansen wijst een man aan tafel in de bibliotheek de weg op een "
                "tablet.",
                1600,
                1067,
                0.5,
                0.45,
            ),
        ),
        body="""\
Elke dinsdagochtend zit Ria Jansen (67) aan de leestafel in de bibliotheek aan het Marktplein.
Inwoners komen bij haar met vragen over formulieren, de DigiD-app of een brief die ze niet snappen.

Ria werkte vroeger als secretaresse. Toen ze met pensioen ging, wilde ze iets blijven doen. "Ik
zag hoe mijn buurvrouw vastliep op haar computer. Toen dacht ik: daar kan ik mee helpen."

## Het Digitaal Informatiepunt

De bibliotheek en de gemeente hebben samen een Digitaal Informatiepunt. Daar kun je gratis
terecht met vragen over de overheid op internet. Bijvoorbeeld over je toeslagen, je
belastingaangifte of het aanvragen van een paspoort. Je hoeft geen lid te zijn van de
bibliotheek.

Ria helpt zo'n acht mensen per ochtend. "Vaak is het maar een klein zetje. Iemand weet niet welke
knop hij moet hebben. Als het dan lukt, zie je iemand opgelucht naar huis gaan."

Ze helpt niet alleen met de computer. "Soms komt er iemand met een brief van de gemeente vol
moeilijke woorden. Dan lezen we hem samen en leg ik uit wat er staat." Die brieven geeft ze door
aan de gemeente, zodat we ze eenvoudiger kunnen maken.

## Langskomen

Het Digitaal Informatiepunt is open op dinsdag en donderdag van 10.00 tot 12.00 uur. Je hoeft
geen afspraak te maken. Neem wel je telefoon en eventuele brieven mee.

Wil je zelf vrijwilliger worden? De bibliotheek zoekt nog mensen voor de donderdag.
""",
    ),
    DemoStory(
        key="klacht-stoep-opgelost",
        title="Na melding van Fatima: stoepen in de Bloemenbuurt eindelijk zonder hoge rand",
        source="resident",
        contributor="Fatima Ouali",
        themes=("Toegankelijkheid", "Inspraak"),
        photos=(
            DemoPhoto(
                "stoep-oprit",
                "Fatima Ouali rijdt in haar rolstoel over een nieuwe, vlakke oprit van de stoep "
                "naar de straat.",
                1600,
                900,
                0.5,
                0.5,
            ),
        ),
        body="""\
Fatima Ouali uit de Bloemenbuurt zit in een rolstoel. Tot voor kort kon ze niet zelf naar de
supermarkt. Op drie plekken was de stoeprand te hoog om eraf te rijden. Nu zijn die randen weg.

In het voorjaar stuurde Fatima een klacht naar de gemeente. "Ik moest elke keer omrijden over de
rijbaan, tussen de auto's door. Dat is gewoon gevaarlijk," vertelt ze. "Ik was boos, want ik had
het al eens eerder gemeld."

## Samen de route gelopen

Deze keer belde een medewerker van de gemeente haar binnen een week terug. Samen met Fatima liep
hij de route van haar huis naar de winkels. "Hij zag meteen wat ik bedoelde. Dat voelde heel
anders dan een brief."

Bij die wandeling vonden ze niet drie, maar vijf plekken waar de stoep te hoog was. Stadsbeheer
heeft ze allemaal aangepast met een vlakke oprit. Ook zijn er twee paaltjes verplaatst die in de
weg stonden.

## Van één melding naar de hele wijk

De gemeente heeft geleerd van de klacht. We lopen nu in elke wijk de looproutes na, samen met
inwoners die slecht ter been zijn of een rolstoel, rollator of kinderwagen gebruiken. De
Bloemenbuurt was de eerste.

"Sorry dat het zo lang duurde," zegt de wethouder. "Fatima heeft ons geholpen om beter te kijken."

Zie jij ook een plek waar je niet goed langs kunt? Meld het via
[zuiderhaven.nl/melding](https://www.zuiderhaven.nl/melding) of bel 14 0123.
""",
    ),
    DemoStory(
        key="open-dag-gemeentewerf",
        title="Open dag op de gemeentewerf: kijk achter de schermen",
        source="organisation",
        contributor="Eva de Vries",
        themes=("Werken bij de gemeente", "Duurzaamheid"),
        campaign="Kom werken bij Zuiderhaven",
        photos=(
            DemoPhoto(
                "werf-veegwagen",
                "Een kind zit achter het stuur van een veegwagen op de gemeentewerf, een "
                "medewerker kijkt mee.",
                1600,
                1067,
                0.5,
                0.5,
            ),
            DemoPhoto(
                "werf-kas",
                "Een medewerker laat bezoekers jonge boompjes zien in de kas van de gemeentewerf.",
                1080,
                1350,
                0.5,
                0.5,
            ),
        ),
        body="""\
Wie maakt de straten schoon? Waar komen de bloemen in het park vandaan? En hoe werkt een
veegwagen eigenlijk? Op zaterdag 12 april kun je het allemaal zien op de open dag van de
gemeentewerf aan de Industrieweg.

## Wat is er te doen?

- Ga achter het stuur van een veegwagen of een kraanwagen zitten.
- Kijk in de werkplaats waar we parkbankjes en speeltoestellen repareren.
- Plant in de kas je eigen boompje en neem het mee naar huis.
- Kinderen kunnen een verkeersdiploma halen op het oefenparcours.

De open dag is van 10.00 tot 15.00 uur en gratis. Je hoeft je niet aan te melden. Het terrein is
vlak en goed te doen met een rolstoel of kinderwagen.

## Kom kennismaken

Op de werf werken zo'n honderd mensen. Zij zorgen elke dag dat Zuiderhaven schoon, groen en veilig
is. Op de open dag vertellen ze je graag over hun werk.

"Veel mensen weten niet hoeveel verschillende banen we hier hebben," zegt teamleider Stadsbeheer
Wim de Groot. "Van hovenier tot monteur en van planner tot vrachtwagenchauffeur."

De gemeente zoekt nieuwe collega's. Ben je nieuwsgierig naar werken bij de gemeente? Loop dan
binnen bij de stand van het team Werving. Je kunt ook meteen een afspraak maken om een dag mee te
lopen.

## Kom met de fiets

Parkeren bij de werf kan maar beperkt. Kom daarom het liefst op de fiets of met bus 12. Die stopt
voor de deur.
""",
    ),
)


def story_input(story: DemoStory) -> StoryInput:
    """A demo story as the splitter's input, with its photos and article URL."""
    return StoryInput(
        id=story.key,
        title=story.title,
        body=story.body,
        language="nl",
        themes=story.themes,
        url=story.url,
        campaign=story.campaign,
        photos=tuple(
            PhotoInput(
                id=photo.key,
                alt=photo.alt,
                width=photo.width,
                height=photo.height,
                focal_x=photo.focal_x,
                focal_y=photo.focal_y,
            )
            for photo in story.photos
        ),
        contributor=story.contributor,
    )


def story_inputs() -> list[StoryInput]:
    return [story_input(story) for story in STORIES]


@dataclass(frozen=True)
class DemoTerm:
    term: str
    forbidden: tuple[str, ...]
    note: str


#: the municipality's term list: how its own names are spelled (checked as errors, with a fix)
TERMS: tuple[DemoTerm, ...] = (
    DemoTerm(
        "Zuiderhaven",
        ("Zuider Haven", "Zuider-Haven"),
        "De naam van de gemeente schrijven we altijd als één woord.",
    ),
    DemoTerm(
        "Afvalwijzer", ("afval-app", "afvalapp"), "De app heet Afvalwijzer, met een hoofdletter."
    ),
    DemoTerm("gemeentewerf", ("gemeente werf", "gemeente-werf"), "Eén woord, zonder streepje."),
    DemoTerm("wijkagent", ("buurtagent", "buurt agent"), "Zo heet de functie bij de politie."),
)
