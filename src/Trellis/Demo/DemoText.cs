namespace Trellis.Demo;

/// <summary>The words of the demo organisation: names, departments, places, titles, feedback and kudos.</summary>
internal static class DemoText
{
    public const string EmailDomain = "acme.example";

    public static readonly string[] FemaleFirst =
    [
        "Ana", "Beatriz", "Chloe", "Daniela", "Elena", "Fatima", "Grace", "Hana", "Ines", "Julia", "Keiko", "Leila",
        "Maria", "Nadia", "Olivia", "Priya", "Rosa", "Sofia", "Tara", "Ursula", "Valentina", "Wen", "Yasmin", "Zoe",
        "Amelia", "Bianca", "Carmen", "Dana", "Emma", "Freya", "Giulia", "Helena", "Ingrid", "Joana", "Klara", "Lucia",
        "Mei", "Noor", "Paula", "Rita", "Sara", "Teresa", "Aisha", "Marta", "Nina", "Eva", "Ada", "Lena", "Irene", "Camila",
    ];

    public static readonly string[] MaleFirst =
    [
        "Adam", "Bruno", "Carlos", "David", "Emil", "Felix", "Gabriel", "Hugo", "Ivan", "Jonas", "Kenji", "Luca",
        "Marco", "Nikolai", "Omar", "Pedro", "Rafael", "Samuel", "Tomas", "Umar", "Victor", "William", "Yusuf", "Zain",
        "Andre", "Ben", "Diego", "Erik", "Filipe", "George", "Hassan", "Isaac", "Jakob", "Karl", "Leon", "Mateo",
        "Nuno", "Oscar", "Paulo", "Rui", "Stefan", "Theo", "Arjun", "Daniel", "Miguel", "Noah", "Ruben", "Simon", "Tiago", "Wei",
    ];

    public static readonly string[] NeutralFirst =
    [
        "Alex", "Robin", "Sam", "Kai", "Jordan", "Charlie", "Noa", "Ari", "River", "Sasha", "Quinn", "Jules", "Eden", "Remy", "Rowan", "Luca",
    ];

    public static readonly string[] Last =
    [
        "Almeida", "Andersen", "Bakker", "Barros", "Becker", "Bianchi", "Brown", "Carvalho", "Chen", "Costa", "Cruz", "Dias",
        "Duarte", "Dubois", "Eriksson", "Fernandes", "Ferreira", "Fischer", "Garcia", "Gomes", "Gonzalez", "Gupta", "Hansen", "Hoffmann",
        "Ito", "Jansen", "Johansson", "Kaur", "Kim", "Kowalski", "Kumar", "Larsen", "Lee", "Lopes", "Martin", "Martins",
        "Meyer", "Mendes", "Moreau", "Moreira", "Muller", "Nakamura", "Nguyen", "Nielsen", "Novak", "Oliveira", "Okafor", "Patel",
        "Pereira", "Petrov", "Pinto", "Popescu", "Ramos", "Reis", "Ribeiro", "Richter", "Rocha", "Rodrigues", "Rossi", "Santos",
        "Schmidt", "Schneider", "Silva", "Singh", "Smith", "Sousa", "Suzuki", "Tanaka", "Teixeira", "Torres", "Vieira", "Visser",
        "Wagner", "Walker", "Wang", "Weber", "Wilson", "Wojcik", "Yamamoto", "Yilmaz", "Zhang", "Novotny", "Horvat", "Lindqvist",
        "Mensah", "Adeyemi", "Haddad", "Khan", "Sato", "Dumont", "Lambert", "Marino", "Esposito", "Romano", "Castro", "Navarro",
    ];

    /// <summary>Departments in the order they are used for small organisations, with their share of the headcount.</summary>
    public static readonly (string Name, double Share, string Role)[] Departments =
    [
        ("Engineering", 0.34, "Software Engineer"),
        ("Sales", 0.14, "Account Executive"),
        ("Customer Success", 0.12, "Customer Success Specialist"),
        ("Product", 0.07, "Product Manager"),
        ("Operations", 0.07, "Operations Analyst"),
        ("People", 0.05, "People Partner"),
        ("Finance", 0.05, "Financial Analyst"),
        ("Marketing", 0.08, "Marketing Specialist"),
        ("Design", 0.04, "Product Designer"),
        ("Data", 0.04, "Data Analyst"),
    ];

    public static readonly (string Name, double Weight)[] Locations =
    [
        ("Lisbon", 0.28), ("Berlin", 0.2), ("London", 0.16), ("Amsterdam", 0.1), ("New York", 0.1), ("Toronto", 0.06), ("Remote", 0.1),
    ];

    private static readonly Dictionary<string, string> ExpertPrefix = new()
    {
        ["e1"] = "Associate ", ["e2"] = "", ["e3"] = "Senior ", ["e4"] = "Staff ", ["e5"] = "Principal ", ["e6"] = "Distinguished ",
    };

    public static string Title(string department, string level, bool isChief, bool isDepartmentHead)
    {
        if (isChief) return "Chief Executive Officer";
        if (isDepartmentHead) return $"Head of {department}";
        var dept = Departments.First(d => d.Name == department);
        // Leader titles name the department after a comma so they never read like an individual role ("Product Manager").
        return level switch
        {
            "l3" => $"Team Lead, {department}",
            "l4" => $"Manager, {department}",
            "l5" => $"Senior Manager, {department}",
            "l6" => $"Director, {department}",
            _ => (ExpertPrefix.TryGetValue(level, out var prefix) ? prefix : "") + dept.Role,
        };
    }

    public static readonly string[] Projects =
    [
        "the billing migration", "the onboarding revamp", "the pricing page launch", "the payments API incident", "the SOC 2 audit",
        "the new-hire bootcamp", "the renewal campaign", "the warehouse data model", "the mobile release", "the quarterly planning",
        "the support backlog clean-up", "the partner integration", "the CRM rollout", "the year-end close", "the customer advisory board",
        "the search relaunch", "the hiring push", "the cost review", "the reliability sprint", "the enterprise pilot",
    ];

    /// <summary>Specific comments per behaviour: [high (4–5), middle (3), low (1–2)]. {0} first name, {1} possessive, {2} project.</summary>
    public static readonly Dictionary<string, string[][]> Comments = new()
    {
        ["asks-why"] =
        [
            [
                "In {2}, {0} asked who the feature was actually for and we cut two weeks of scope nobody needed.",
                "{0} traced the request in {2} back to the real customer problem and proposed a simpler fix that shipped first.",
                "Before kicking off {2}, {0} wrote down the goal and the user need in the brief; it kept the whole group aligned.",
            ],
            [
                "{0} usually checks the purpose of a ticket before starting, and did so on {2}.",
                "On {2}, {0} asked clarifying questions once the work was under way; earlier would have saved a rework.",
            ],
            [
                "{0} started on {2} exactly as written and only found out mid-way that it missed what the customer needed.",
                "When {2} went off track, {0} said the request had been unclear rather than asking about it up front.",
            ],
        ],
        ["learns-in-the-open"] =
        [
            [
                "{0} wrote up the failed experiment from {2} as openly as the successes; three teams reused the notes.",
                "{0} ran a lunch demo on what {1} team learned in {2}, including what did not work.",
                "After {2}, {0} set up a short post-incident review that other teams now copy.",
            ],
            [
                "{0} asked for feedback on {1} part of {2} and tried one of the suggestions.",
                "{0} picked up the new tooling for {2} and shared a short how-to with the team.",
            ],
            [
                "{0} kept using the old approach on {2} after it failed twice and dismissed the suggestions from review.",
                "What {0} learned during {2} stayed in {1} head; the next person had to rediscover it.",
            ],
        ],
        ["raises-the-quality-bar"] =
        [
            [
                "{0} added the missing checks to {2} before handing it over and walked the reviewers through the edge cases.",
                "{0} rewrote the review checklist after {2}; our defect rate on the next release halved.",
                "On {2}, {0} caught a data-loss bug in someone else's change and paired with them on the fix.",
            ],
            [
                "{0}'s work on {2} met the agreed standard and the checklist was complete.",
                "{0} fixed the issues found in review of {2} promptly.",
            ],
            [
                "{0} handed over {2} with known defects and did not mention them; QA found them a week later.",
                "Several checks on {2} were skipped without saying so, and others had to clean up after {0}.",
            ],
        ],
        ["simplifies-the-complex"] =
        [
            [
                "{0} replaced three overlapping processes in {2} with one page everyone understands.",
                "{0} explained the trade-offs of {2} to the leadership group in five minutes, without jargon.",
                "{0} removed a whole service from {2} by questioning whether we still needed it.",
            ],
            [
                "{0} kept {1} part of {2} straightforward and documented the main decisions.",
                "{0} explained {2} clearly when asked, though the written summary was long.",
            ],
            [
                "{0}'s design for {2} added layers nobody could explain afterwards, including {0}.",
                "The handover notes for {2} were hard to follow; two people had to ask {0} the same questions.",
            ],
        ],
        ["follows-through"] =
        [
            [
                "{0} committed to a date for {2}, flagged a slip two weeks early with a recovery plan, and landed it.",
                "Every action {0} took away from the {2} retro was done by the next one.",
                "{0} owned the loose ends of {2} after launch without being asked.",
            ],
            [
                "{0} delivered {1} part of {2} as agreed, with one small delay that was communicated.",
                "{0} closed most of the follow-ups from {2}; a couple needed a reminder.",
            ],
            [
                "{0} missed two agreed deadlines on {2} and we heard about it from the customer first.",
                "Follow-ups {0} agreed to after {2} were still open a month later.",
            ],
        ],
        ["speaks-up-candidly"] =
        [
            [
                "In the {2} review, {0} raised the risk everyone was avoiding, with data, and we changed the plan.",
                "{0} told me directly that my estimate for {2} was unrealistic and explained why; {1} read was right.",
                "{0} disagreed openly with the launch date for {2} and then committed fully once it was decided.",
            ],
            [
                "{0} shared concerns about {2} in one-to-ones, though less often in the group.",
                "{0} raised an issue with {2} once asked directly.",
            ],
            [
                "{0} agreed in the {2} meeting and then raised the objections privately afterwards.",
                "{0} knew {2} was at risk and did not say so until the deadline had passed.",
            ],
        ],
        ["makes-it-safe-to-speak"] =
        [
            [
                "When {2} went wrong, {0} opened the retro by naming {1} own mistake first; people talked freely after that.",
                "{0} makes sure the quietest people in the {2} meetings get asked for their view.",
                "{0} thanked a junior colleague publicly for pointing out a flaw in {1} plan for {2}.",
            ],
            [
                "{0} listens when people raise problems with {2}, though the follow-up is not always visible.",
                "{0} runs inclusive meetings most of the time.",
            ],
            [
                "{0} cut people off when they questioned the plan for {2}; the room went quiet.",
                "After {2}, {0} looked for who to blame before looking for what to fix.",
            ],
        ],
        ["grows-others"] =
        [
            [
                "{0} coached a new colleague through {2} and let them present the result themselves.",
                "{0} delegated the hardest part of {2} to someone who wanted to stretch, and backed them up.",
                "Two people {0} mentored during {2} now lead similar work on their own.",
            ],
            [
                "{0} answers questions about {2} helpfully when asked.",
                "{0} paired with a new joiner on {2} for the first week.",
            ],
            [
                "{0} kept the interesting parts of {2} and handed out only the routine work.",
                "{0} fixed a colleague's work on {2} without explaining what was wrong, so the same mistake came back.",
            ],
        ],
        ["shares-credit"] =
        [
            [
                "In the {2} demo, {0} named everyone who contributed, including the support engineers nobody sees.",
                "{0} made sure the partner team got the credit for unblocking {2}.",
                "{0} sent the customer's thank-you for {2} to the whole team, not just {1} manager.",
            ],
            [
                "{0} mentioned the team when presenting {2}.",
                "{0} credits colleagues when asked about {2}.",
            ],
            [
                "{0} presented {2} as {1} own work; three of us did most of it.",
                "The update on {2} from {0} left out the people who did the hard part.",
            ],
        ],
        ["works-across-boundaries"] =
        [
            [
                "{0} brought sales, support and engineering into one room for {2} and we solved it in a day.",
                "{0} spent a week with the other team on {2} to understand their constraints before asking anything of them.",
                "{0} offered {1} team's help with {2} even though it was not on our roadmap.",
            ],
            [
                "{0} works fine with other teams on {2} when the request comes to them.",
                "{0} kept the other team informed during {2}.",
            ],
            [
                "{0} escalated a disagreement over {2} instead of talking to the other team first.",
                "{0} treated the requests from the other department on {2} as someone else's problem.",
            ],
        ],
    };

    /// <summary>Feedback a quality check should catch: vague, or about personality rather than behaviour.</summary>
    public static readonly string[] VagueComments =
    [
        "Great to work with.", "Solid performer.", "Good job as usual.", "Keep it up!", "No complaints.", "Does fine.",
        "{0} is a rock star.", "{0} is very nice.", "{0} has a great attitude.", "{0} can be a bit abrasive.", "{0} is too emotional sometimes.",
        "{0} is very aggressive in meetings.", "{0} is a natural leader.", "{0} needs to be more confident.", "Always helpful and sweet.",
    ];

    /// <summary>Kudos per value; {0} the recipient's first name, {1} a project.</summary>
    public static readonly Dictionary<string, string[]> RecognitionMessages = new()
    {
        ["curiosity"] =
        [
            "Thanks {0} for asking the question that changed the plan for {1}.",
            "{0} dug into the root cause of {1} instead of patching the symptom. Thank you!",
            "Loved the write-up {0} shared after {1}; I learned a lot.",
        ],
        ["craft"] =
        [
            "{0}'s attention to detail on {1} saved us from a nasty release.",
            "Beautifully simple solution for {1}, {0}. Thank you.",
            "{0} raised the bar on {1}; the review checklist is better for it.",
        ],
        ["ownership"] =
        [
            "{0} picked up {1} when it was falling through the cracks and saw it through.",
            "Huge thanks to {0} for flagging the risk on {1} early and owning the fix.",
            "{0} stayed with the {1} follow-ups until every one was closed.",
        ],
        ["care-for-people"] =
        [
            "{0} made space for everyone's view in the {1} retro. It made a difference.",
            "Thank you {0} for coaching me through {1}.",
            "{0} checked in on the team after a rough week on {1}. Appreciated.",
        ],
        ["we-over-me"] =
        [
            "{0} gave the credit for {1} to the whole team. Classy.",
            "Thanks {0} for helping the other team with {1} even though it was not on your plate.",
            "{0} connected three departments to get {1} done.",
        ],
    };

    public static readonly string[] ConcernCategories = ["conduct", "harassment", "discrimination", "misuse_of_resources", "dishonesty", "policy_breach"];

    public static string Fill(string template, string first, string possessive, string project) =>
        template.Replace("{0}", first).Replace("{1}", possessive).Replace("{2}", project);
}
