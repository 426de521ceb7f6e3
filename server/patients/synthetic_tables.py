"""The vocabulary of the synthetic population (server.patients.synthetic): names, places, payers, employers.

Weights are relative. Surname weights follow the 2010 US Census frequencies (occurrences per 100,000 people),
with a few rarer names added so search meets apostrophes, hyphens, spaces, periods and accents. First names carry
the generation they were popular in, so grandparents are not called Jayden.
"""

from __future__ import annotations

# -- surnames: (name, weight per 100,000, origin) -------------------------------------------------
# origin drives the preferred language now and then: "hisp" Spanish, "viet" Vietnamese, "kor" Korean,
# "chin" Chinese, "ind" Hindi/Gujarati, "som" Somali, "arab" Arabic, "" English.
SURNAMES: list[tuple[str, float, str]] = [
    ("Smith", 828, ""), ("Johnson", 655, ""), ("Williams", 550, ""), ("Brown", 487, ""), ("Jones", 483, ""),
    ("Garcia", 404, "hisp"), ("Miller", 393, ""), ("Davis", 381, ""), ("Rodriguez", 375, "hisp"),
    ("Martinez", 365, "hisp"), ("Hernandez", 362, "hisp"), ("Lopez", 296, "hisp"), ("Gonzalez", 286, "hisp"),
    ("Wilson", 278, ""), ("Anderson", 273, ""), ("Thomas", 265, ""), ("Taylor", 260, ""), ("Moore", 245, ""),
    ("Jackson", 241, ""), ("Martin", 240, ""), ("Lee", 234, ""), ("Perez", 225, "hisp"), ("Thompson", 221, ""),
    ("White", 220, ""), ("Harris", 207, ""), ("Sanchez", 200, "hisp"), ("Clark", 190, ""),
    ("Ramirez", 188, "hisp"), ("Lewis", 181, ""), ("Robinson", 179, ""), ("Walker", 176, ""), ("Young", 164, ""),
    ("Allen", 162, ""), ("King", 160, ""), ("Wright", 158, ""), ("Scott", 151, ""), ("Torres", 150, "hisp"),
    ("Nguyen", 146, "viet"), ("Hill", 145, ""), ("Flores", 145, "hisp"), ("Green", 143, ""), ("Adams", 141, ""),
    ("Nelson", 140, ""), ("Baker", 140, ""), ("Hall", 137, ""), ("Rivera", 136, "hisp"), ("Campbell", 130, ""),
    ("Mitchell", 129, ""), ("Carter", 126, ""), ("Roberts", 126, ""), ("Gomez", 118, "hisp"),
    ("Phillips", 117, ""), ("Evans", 115, ""), ("Turner", 114, ""), ("Diaz", 114, "hisp"), ("Parker", 111, ""),
    ("Cruz", 110, "hisp"), ("Edwards", 110, ""), ("Collins", 109, ""), ("Reyes", 109, "hisp"),
    ("Stewart", 108, ""), ("Morris", 105, ""), ("Morales", 104, "hisp"), ("Murphy", 102, ""), ("Cook", 102, ""),
    ("Rogers", 101, ""), ("Gutierrez", 98, "hisp"), ("Ortiz", 97, "hisp"), ("Morgan", 97, ""),
    ("Cooper", 96, ""), ("Peterson", 95, ""), ("Bailey", 94, ""), ("Reed", 93, ""), ("Kelly", 91, ""),
    ("Howard", 91, ""), ("Ramos", 90, "hisp"), ("Kim", 90, "kor"), ("Cox", 89, ""), ("Ward", 89, ""),
    ("Richardson", 88, ""), ("Watson", 87, ""), ("Brooks", 86, ""), ("Chavez", 86, "hisp"), ("Wood", 85, ""),
    ("James", 85, ""), ("Bennett", 84, ""), ("Gray", 84, ""), ("Mendoza", 83, "hisp"), ("Ruiz", 82, "hisp"),
    ("Hughes", 81, ""), ("Price", 81, ""), ("Alvarez", 80, "hisp"), ("Castillo", 79, "hisp"),
    ("Sanders", 79, ""), ("Patel", 79, "ind"), ("Myers", 79, ""), ("Long", 78, ""), ("Ross", 78, ""),
    ("Foster", 77, ""), ("Jimenez", 76, "hisp"), ("Powell", 74, ""), ("Jenkins", 74, ""), ("Perry", 73, ""),
    ("Russell", 73, ""), ("Sullivan", 72, ""), ("Bell", 72, ""), ("Coleman", 71, ""), ("Butler", 71, ""),
    ("Henderson", 70, ""), ("Barnes", 70, ""), ("Gonzales", 70, "hisp"), ("Fisher", 68, ""),
    ("Vasquez", 68, "hisp"), ("Simmons", 67, ""), ("Romero", 66, "hisp"), ("Jordan", 66, ""),
    ("Patterson", 66, ""), ("Alexander", 66, ""), ("Hamilton", 65, ""), ("Graham", 64, ""),
    ("Reynolds", 64, ""), ("Griffin", 63, ""), ("Wallace", 63, ""), ("Moreno", 63, "hisp"), ("West", 62, ""),
    ("Cole", 62, ""), ("Hayes", 62, ""), ("Bryant", 61, ""), ("Herrera", 61, "hisp"), ("Gibson", 61, ""),
    ("Ellis", 60, ""), ("Tran", 60, "viet"), ("Medina", 60, "hisp"), ("Aguilar", 59, "hisp"),
    ("Stevens", 59, ""), ("Murray", 58, ""), ("Ford", 58, ""), ("Castro", 58, "hisp"), ("Marshall", 58, ""),
    ("Owens", 58, ""), ("Harrison", 57, ""), ("Fernandez", 57, "hisp"), ("McDonald", 57, ""), ("Woods", 56, ""),
    ("Washington", 55, ""), ("Kennedy", 55, ""), ("Wells", 55, ""), ("Vargas", 55, "hisp"), ("Henry", 54, ""),
    ("Chen", 54, "chin"), ("Freeman", 54, ""), ("Webb", 54, ""), ("Tucker", 53, ""), ("Burns", 53, ""),
    ("Crawford", 53, ""), ("Olson", 53, ""), ("Simpson", 52, ""), ("Porter", 52, ""), ("Hunter", 52, ""),
    ("Gordon", 52, ""), ("Mendez", 52, "hisp"), ("Silva", 52, "hisp"), ("Shaw", 52, ""), ("Snyder", 51, ""),
    ("Mason", 51, ""), ("Dixon", 51, ""), ("Muñoz", 51, "hisp"), ("Hunt", 51, ""), ("Hicks", 50, ""),
    ("Holmes", 50, ""), ("Palmer", 50, ""), ("Wagner", 50, ""), ("Black", 50, ""), ("Robertson", 49, ""),
    ("Boyd", 49, ""), ("Rose", 49, ""), ("Stone", 49, ""), ("Salazar", 49, "hisp"), ("Fox", 48, ""),
    ("Warren", 48, ""), ("Mills", 48, ""), ("Meyer", 48, ""), ("Rice", 48, ""), ("Schmidt", 47, ""),
    ("Garza", 47, "hisp"), ("Daniels", 47, ""), ("Ferguson", 47, ""), ("Nichols", 46, ""), ("Stephens", 46, ""),
    ("Soto", 46, "hisp"), ("Weaver", 46, ""), ("Ryan", 46, ""), ("Gardner", 46, ""), ("Payne", 46, ""),
    ("Grant", 45, ""), ("Dunn", 45, ""), ("Kelley", 45, ""), ("Spencer", 45, ""), ("Hawkins", 45, ""),
    ("Arnold", 44, ""), ("Pierce", 44, ""), ("Hansen", 44, ""), ("Peters", 44, ""), ("Santos", 44, "hisp"),
    ("Hart", 43, ""), ("Bradley", 43, ""), ("Knight", 43, ""), ("Elliott", 43, ""), ("Cunningham", 43, ""),
    ("Duncan", 43, ""), ("Armstrong", 43, ""), ("Hudson", 42, ""), ("Carroll", 42, ""), ("Lane", 42, ""),
    ("Riley", 42, ""), ("Andrews", 42, ""), ("Ray", 42, ""), ("Delgado", 42, "hisp"), ("Berry", 42, ""),
    ("Perkins", 41, ""), ("Hoffman", 41, ""), ("Johnston", 41, ""), ("Matthews", 41, ""), ("Peña", 41, "hisp"),
    ("Richards", 41, ""), ("Contreras", 41, "hisp"), ("Willis", 41, ""), ("Carpenter", 41, ""),
    ("Lawrence", 40, ""), ("Sandoval", 40, "hisp"), ("Guerrero", 40, "hisp"), ("George", 40, ""),
    ("Chapman", 40, ""), ("Rios", 40, "hisp"), ("Estrada", 40, "hisp"), ("Ortega", 40, "hisp"),
    ("Watkins", 40, ""), ("Greene", 40, ""), ("Wheeler", 39, ""), ("Valdez", 39, "hisp"), ("Harper", 39, ""),
    ("Burke", 39, ""), ("Larson", 39, ""), ("Santiago", 39, "hisp"), ("Morrison", 39, ""), ("Franklin", 39, ""),
    ("Carlson", 38, ""), ("Austin", 38, ""), ("Lawson", 38, ""), ("Jacobs", 38, ""), ("O'Brien", 38, ""),
    ("Lynch", 38, ""), ("Singh", 38, "ind"), ("Vega", 38, "hisp"), ("Bishop", 38, ""), ("Montgomery", 38, ""),
    ("Jensen", 37, ""), ("Li", 37, "chin"), ("Wong", 37, "chin"), ("Le", 36, "viet"), ("Park", 35, "kor"),
    ("Pham", 30, "viet"), ("Wang", 30, "chin"), ("Schultz", 25, ""), ("Cohen", 25, ""), ("Ahmed", 25, "som"),
    ("Ali", 20, "arab"), ("Khan", 20, "arab"), ("O'Connor", 20, ""), ("McCarthy", 20, ""), ("Liu", 20, "chin"),
    ("Yang", 20, "chin"), ("Zhang", 18, "chin"), ("Mohamed", 15, "som"), ("Shah", 15, "ind"),
    ("Kumar", 15, "ind"), ("Choi", 15, "kor"), ("De Leon", 15, "hisp"), ("O'Neill", 15, ""),
    ("Huang", 15, "chin"), ("Hassan", 12, "som"), ("Wu", 12, "chin"), ("MacDonald", 10, ""),
    ("Goldberg", 10, ""), ("De La Cruz", 8, "hisp"), ("Kowalski", 8, ""), ("Novak", 8, ""),
    ("Abdi", 5, "som"), ("D'Angelo", 4, ""), ("Haddad", 4, "arab"), ("Del Rosario", 4, "hisp"),
    ("Van Buren", 3, ""), ("St. Clair", 3, ""), ("Okafor", 3, ""), ("Garcia-Lopez", 3, "hisp"),
    ("Smith-Jones", 2, ""), ("Martinez-Rivera", 2, "hisp"), ("Johnson-Williams", 2, ""), ("Mensah", 2, ""),
    ("Nakamura", 3, ""), ("Tanaka", 3, ""), ("Yilmaz", 1, ""), ("Adeyemi", 2, ""),
]

LANGUAGES = {"hisp": "Spanish", "viet": "Vietnamese", "kor": "Korean", "chin": "Chinese", "ind": "Gujarati",
             "som": "Somali", "arab": "Arabic"}

# -- first names: (name, weight, era) -----------------------------------------------------------
# era: "old" popular for births before 1960, "mid" 1960-1989, "new" 1990 on, "any" throughout.
FEMALE_NAMES: list[tuple[str, float, str]] = [
    ("Mary", 30, "old"), ("Patricia", 15, "old"), ("Linda", 15, "old"), ("Barbara", 14, "old"),
    ("Elizabeth", 10, "any"), ("Margaret", 10, "old"), ("Dorothy", 8, "old"), ("Betty", 8, "old"),
    ("Helen", 7, "old"), ("Sandra", 8, "old"), ("Donna", 7, "old"), ("Carol", 8, "old"), ("Ruth", 5, "old"),
    ("Sharon", 6, "old"), ("Shirley", 6, "old"), ("Joyce", 5, "old"), ("Judith", 5, "old"),
    ("Virginia", 4, "old"), ("Frances", 4, "old"), ("Joan", 4, "old"), ("Evelyn", 4, "any"), ("Jean", 4, "old"),
    ("Gloria", 4, "old"), ("Martha", 4, "old"), ("Janet", 5, "old"), ("Ann", 4, "old"), ("Diane", 5, "old"),
    ("Alice", 3, "old"), ("Peggy", 3, "old"), ("Rosa", 3, "old"), ("Marilyn", 3, "old"), ("Phyllis", 3, "old"),
    ("Beverly", 3, "old"), ("Norma", 3, "old"), ("Brenda", 6, "old"), ("Pamela", 5, "old"), ("Debra", 6, "old"),
    ("Nancy", 7, "old"), ("Karen", 8, "old"), ("Susan", 8, "old"), ("Deborah", 7, "old"), ("Cynthia", 5, "old"),
    ("Kathleen", 5, "old"), ("Theresa", 3, "old"), ("Judy", 3, "old"), ("Jennifer", 20, "mid"),
    ("Jessica", 15, "mid"), ("Amanda", 12, "mid"), ("Ashley", 12, "mid"), ("Sarah", 12, "any"),
    ("Stephanie", 10, "mid"), ("Melissa", 10, "mid"), ("Nicole", 9, "mid"), ("Heather", 8, "mid"),
    ("Michelle", 9, "mid"), ("Amy", 8, "mid"), ("Kimberly", 9, "mid"), ("Angela", 8, "mid"), ("Lisa", 8, "mid"),
    ("Tiffany", 5, "mid"), ("Christina", 6, "mid"), ("Rebecca", 6, "mid"), ("Laura", 6, "mid"),
    ("Rachel", 6, "mid"), ("Megan", 6, "mid"), ("Lauren", 6, "mid"), ("Crystal", 4, "mid"), ("Erin", 4, "mid"),
    ("Kelly", 4, "mid"), ("Danielle", 4, "mid"), ("April", 3, "mid"), ("Tamika", 2, "mid"), ("Latoya", 2, "mid"),
    ("Maria", 8, "any"), ("Monica", 3, "mid"), ("Veronica", 3, "mid"), ("Yolanda", 2, "mid"),
    ("Wendy", 3, "mid"), ("Tracy", 3, "mid"), ("Holly", 3, "mid"), ("Katherine", 6, "any"), ("Renée", 2, "mid"),
    ("Emma", 12, "new"), ("Olivia", 12, "new"), ("Ava", 9, "new"), ("Sophia", 10, "new"), ("Isabella", 9, "new"),
    ("Mia", 8, "new"), ("Charlotte", 7, "new"), ("Amelia", 7, "new"), ("Harper", 5, "new"), ("Abigail", 6, "new"),
    ("Emily", 10, "new"), ("Madison", 8, "new"), ("Chloe", 6, "new"), ("Ella", 5, "new"), ("Avery", 4, "new"),
    ("Sofia", 5, "new"), ("Camila", 4, "new"), ("Aria", 3, "new"), ("Scarlett", 3, "new"),
    ("Victoria", 4, "any"), ("Grace", 5, "new"), ("Zoey", 3, "new"), ("Hannah", 6, "new"), ("Lily", 4, "new"),
    ("Layla", 3, "new"), ("Nora", 3, "new"), ("Riley", 3, "new"), ("Zoe", 3, "new"), ("Aaliyah", 3, "new"),
    ("Nevaeh", 2, "new"), ("Brianna", 4, "new"), ("Destiny", 3, "new"), ("Jasmine", 4, "new"),
    ("Alexis", 4, "new"), ("Samantha", 6, "new"), ("Kayla", 4, "new"), ("Taylor", 4, "new"), ("Ximena", 1, "new"),
    ("Valentina", 2, "new"), ("Priya", 1, "any"), ("Mei", 1, "any"), ("Fatima", 2, "any"), ("Amina", 1, "any"),
    ("Hana", 1, "any"), ("Leah", 4, "new"), ("Ananya", 1, "new"), ("Linh", 1, "any"), ("Ji-woo", 1, "new"),
    ("Guadalupe", 2, "any"), ("Mary Ann", 2, "old"), ("Anne-Marie", 1, "mid"),
]

MALE_NAMES: list[tuple[str, float, str]] = [
    ("James", 25, "any"), ("John", 25, "old"), ("Robert", 25, "old"), ("Michael", 25, "any"),
    ("William", 18, "any"), ("David", 20, "any"), ("Richard", 14, "old"), ("Charles", 12, "old"),
    ("Joseph", 12, "any"), ("Thomas", 12, "any"), ("Donald", 9, "old"), ("George", 8, "old"),
    ("Kenneth", 8, "old"), ("Ronald", 8, "old"), ("Gary", 7, "old"), ("Larry", 7, "old"), ("Frank", 6, "old"),
    ("Raymond", 5, "old"), ("Harold", 4, "old"), ("Walter", 4, "old"), ("Carl", 4, "old"), ("Roger", 4, "old"),
    ("Gerald", 4, "old"), ("Dennis", 5, "old"), ("Jerry", 5, "old"), ("Eugene", 3, "old"), ("Ralph", 3, "old"),
    ("Howard", 3, "old"), ("Earl", 3, "old"), ("Fred", 3, "old"), ("Harry", 3, "old"), ("Arthur", 3, "old"),
    ("Albert", 3, "old"), ("Lawrence", 3, "old"), ("Wayne", 3, "old"), ("Roy", 3, "old"), ("Leonard", 3, "old"),
    ("Billy", 3, "old"), ("Bobby", 2, "old"), ("Stanley", 2, "old"), ("Dale", 2, "old"), ("Douglas", 4, "old"),
    ("Bruce", 3, "old"), ("Willie", 3, "old"), ("Christopher", 18, "mid"), ("Matthew", 14, "mid"),
    ("Joshua", 12, "mid"), ("Daniel", 12, "any"), ("Brian", 10, "mid"), ("Jason", 10, "mid"),
    ("Kevin", 9, "mid"), ("Anthony", 9, "any"), ("Mark", 8, "mid"), ("Steven", 8, "mid"), ("Jeffrey", 7, "mid"),
    ("Eric", 7, "mid"), ("Scott", 6, "mid"), ("Timothy", 6, "mid"), ("Andrew", 8, "any"), ("Justin", 6, "mid"),
    ("Ryan", 7, "mid"), ("Jonathan", 6, "mid"), ("Brandon", 6, "mid"), ("Adam", 5, "mid"), ("Jose", 6, "any"),
    ("José", 2, "any"), ("Juan", 4, "any"), ("Carlos", 4, "any"), ("Luis", 4, "any"), ("Gregory", 4, "mid"),
    ("Patrick", 4, "mid"), ("Sean", 4, "mid"), ("Travis", 3, "mid"), ("Shawn", 3, "mid"), ("Derrick", 2, "mid"),
    ("Marcus", 3, "mid"), ("Terrence", 2, "mid"), ("Jamal", 2, "mid"), ("Keith", 3, "mid"), ("Todd", 2, "mid"),
    ("Chad", 2, "mid"), ("Jeremy", 4, "mid"), ("Aaron", 4, "mid"), ("Nathan", 4, "any"), ("Kyle", 4, "mid"),
    ("Nicholas", 5, "mid"), ("Benjamin", 5, "any"), ("Alexander", 5, "any"), ("Edward", 4, "old"),
    ("Samuel", 4, "any"), ("André", 1, "mid"), ("Liam", 10, "new"), ("Noah", 10, "new"), ("Oliver", 7, "new"),
    ("Elijah", 6, "new"), ("Lucas", 6, "new"), ("Mason", 6, "new"), ("Logan", 5, "new"), ("Ethan", 8, "new"),
    ("Aiden", 5, "new"), ("Jacob", 8, "new"), ("Jackson", 5, "new"), ("Levi", 3, "new"), ("Sebastian", 3, "new"),
    ("Mateo", 3, "new"), ("Jayden", 4, "new"), ("Caleb", 4, "new"), ("Wyatt", 3, "new"), ("Owen", 4, "new"),
    ("Carter", 3, "new"), ("Julian", 3, "new"), ("Isaiah", 3, "new"), ("Grayson", 3, "new"),
    ("Hudson", 2, "new"), ("Ezra", 2, "new"), ("Jaxon", 2, "new"), ("Leo", 3, "new"), ("Gabriel", 4, "new"),
    ("Dylan", 4, "new"), ("Tyler", 5, "new"), ("Austin", 4, "new"), ("Hunter", 3, "new"), ("Jordan", 3, "new"),
    ("Diego", 2, "new"), ("Santiago", 2, "new"), ("Muhammad", 2, "any"), ("Omar", 2, "any"),
    ("Arjun", 1, "any"), ("Minh", 1, "any"), ("Wei", 1, "any"), ("Kwame", 1, "any"), ("DeShawn", 1, "mid"),
    ("Jamari", 1, "new"), ("Elias", 2, "new"), ("Min-jun", 1, "new"), ("Abdullahi", 1, "any"),
]

ERA_FACTORS = {  # how much an era's names count in each birth cohort
    "old": {"old": 1.0, "mid": 0.08, "new": 0.0, "any": 0.6},
    "mid": {"old": 0.15, "mid": 1.0, "new": 0.05, "any": 0.6},
    "new": {"old": 0.0, "mid": 0.1, "new": 1.0, "any": 0.5},
}

FEMALE_MIDDLE = ["Ann", "Marie", "Lynn", "Elizabeth", "Rose", "Jane", "Louise", "Nicole", "Michelle", "Grace",
                 "Mae", "Jean", "Renee", "Kay", "Dawn", "Sue", "Leigh", "Anne", "Christine", "Faith"]
MALE_MIDDLE = ["James", "Michael", "Lee", "Allen", "Wayne", "Edward", "Joseph", "Ray", "Thomas", "Alan", "Dean",
               "Paul", "Scott", "Eugene", "Lynn", "Andrew", "Robert", "David", "John", "Anthony"]

NICKNAMES = {
    "William": ("Bill", "Will", "Billy"), "Robert": ("Bob", "Rob", "Bobby"), "Elizabeth": ("Liz", "Beth", "Betsy"),
    "Margaret": ("Peggy", "Maggie", "Meg"), "James": ("Jim", "Jimmy", "Jamie"), "Richard": ("Rick", "Rich"),
    "Katherine": ("Kate", "Katie", "Kathy"), "Christopher": ("Chris",), "Michael": ("Mike", "Mikey"),
    "Jennifer": ("Jen", "Jenny"), "Thomas": ("Tom", "Tommy"), "Joseph": ("Joe", "Joey"), "Anthony": ("Tony",),
    "Patricia": ("Pat", "Trish", "Patty"), "Alexander": ("Alex", "Xander"), "Samantha": ("Sam",),
    "Daniel": ("Dan", "Danny"), "Matthew": ("Matt",), "Nicholas": ("Nick",), "Benjamin": ("Ben",),
    "Jonathan": ("Jon",), "Edward": ("Ed", "Ted", "Eddie"), "Victoria": ("Vicky", "Tori"),
    "Rebecca": ("Becky", "Becca"), "Deborah": ("Debbie", "Deb"), "Susan": ("Sue", "Susie"),
    "Kimberly": ("Kim",), "Charles": ("Chuck", "Charlie"), "Gerald": ("Jerry",), "Kenneth": ("Ken", "Kenny"),
    "Ronald": ("Ron", "Ronnie"), "Donald": ("Don", "Donnie"), "Dorothy": ("Dot", "Dottie"),
    "Barbara": ("Barb",), "Jessica": ("Jess",), "Stephanie": ("Steph",), "Abigail": ("Abby",),
    "Isabella": ("Bella", "Izzy"), "Gabriel": ("Gabe",), "Jacob": ("Jake",), "Samuel": ("Sam",),
    "Andrew": ("Andy", "Drew"), "Timothy": ("Tim",), "Gregory": ("Greg",), "Steven": ("Steve",),
    "Jeffrey": ("Jeff",), "Raymond": ("Ray",), "Lawrence": ("Larry",), "Frances": ("Fran",),
    "Wei": ("David",), "Minh": ("Kevin",), "Ji-woo": ("Julie",), "Min-jun": ("Mike",), "Guadalupe": ("Lupe",),
}

SUFFIXES = [("Jr.", 70), ("Sr.", 12), ("II", 8), ("III", 9), ("IV", 1)]

# -- places: (city, state, ZIP, area codes, weight) -----------------------------------------------
# Real city/ZIP/area-code combinations. The practice is in central Ohio (HOME_STATE), so most
# patients live around Columbus; some elsewhere in Ohio, a few out of state (students, snowbirds, movers).
HOME_STATE = "OH"
CITIES: list[tuple[str, str, str, tuple[str, ...], float]] = [
    ("Columbus", "OH", "43215", ("614", "380"), 60), ("Columbus", "OH", "43201", ("614", "380"), 50),
    ("Columbus", "OH", "43214", ("614", "380"), 45), ("Columbus", "OH", "43235", ("614", "380"), 40),
    ("Columbus", "OH", "43229", ("614", "380"), 45), ("Columbus", "OH", "43206", ("614", "380"), 35),
    ("Upper Arlington", "OH", "43221", ("614",), 30), ("Worthington", "OH", "43085", ("614",), 30),
    ("Dublin", "OH", "43017", ("614", "380"), 35), ("Westerville", "OH", "43081", ("614",), 40),
    ("Hilliard", "OH", "43026", ("614",), 35), ("Grove City", "OH", "43123", ("614",), 30),
    ("Gahanna", "OH", "43230", ("614",), 25), ("Reynoldsburg", "OH", "43068", ("614",), 25),
    ("Delaware", "OH", "43015", ("740",), 20), ("Newark", "OH", "43055", ("740", "220"), 15),
    ("Lancaster", "OH", "43130", ("740",), 15), ("Marysville", "OH", "43040", ("937",), 10),
    ("Cleveland", "OH", "44113", ("216",), 6), ("Cincinnati", "OH", "45202", ("513",), 6),
    ("Dayton", "OH", "45402", ("937",), 5), ("Toledo", "OH", "43604", ("419", "567"), 4),
    ("Akron", "OH", "44308", ("330", "234"), 4), ("Athens", "OH", "45701", ("740",), 3),
    ("Indianapolis", "IN", "46204", ("317",), 2), ("Fort Wayne", "IN", "46802", ("260",), 1),
    ("Louisville", "KY", "40202", ("502",), 1.5), ("Lexington", "KY", "40507", ("859",), 1),
    ("Detroit", "MI", "48226", ("313",), 1.5), ("Ann Arbor", "MI", "48104", ("734",), 1),
    ("Pittsburgh", "PA", "15222", ("412",), 1.5), ("Philadelphia", "PA", "19103", ("215", "267"), 1),
    ("Wheeling", "WV", "26003", ("304", "681"), 1), ("Charleston", "WV", "25301", ("304", "681"), 0.8),
    ("Chicago", "IL", "60601", ("312", "872"), 1.5), ("New York", "NY", "10001", ("212", "646"), 1.5),
    ("Brooklyn", "NY", "11201", ("718", "347"), 1), ("Boston", "MA", "02108", ("617", "857"), 1),
    ("Newark", "NJ", "07102", ("973", "862"), 0.5), ("Hartford", "CT", "06103", ("860",), 0.5),
    ("Baltimore", "MD", "21201", ("410", "443"), 0.7), ("Washington", "DC", "20001", ("202",), 0.8),
    ("Richmond", "VA", "23219", ("804",), 0.6), ("Charlotte", "NC", "28202", ("704", "980"), 1),
    ("Atlanta", "GA", "30303", ("404", "470"), 1), ("Nashville", "TN", "37203", ("615", "629"), 1),
    ("Miami", "FL", "33130", ("305", "786"), 1), ("Orlando", "FL", "32801", ("407", "321"), 1),
    ("Tampa", "FL", "33602", ("813",), 1.2), ("Birmingham", "AL", "35203", ("205",), 0.4),
    ("Houston", "TX", "77002", ("713", "832"), 0.8), ("Dallas", "TX", "75201", ("214", "469"), 0.8),
    ("San Antonio", "TX", "78205", ("210",), 0.5), ("New Orleans", "LA", "70112", ("504",), 0.3),
    ("Oklahoma City", "OK", "73102", ("405",), 0.3), ("Minneapolis", "MN", "55401", ("612",), 0.4),
    ("Milwaukee", "WI", "53202", ("414",), 0.4), ("Des Moines", "IA", "50309", ("515",), 0.2),
    ("St. Louis", "MO", "63101", ("314",), 0.4), ("Kansas City", "MO", "64106", ("816",), 0.3),
    ("Omaha", "NE", "68102", ("402",), 0.2), ("Denver", "CO", "80202", ("303", "720"), 0.5),
    ("Phoenix", "AZ", "85004", ("602",), 0.6), ("Albuquerque", "NM", "87102", ("505",), 0.2),
    ("Salt Lake City", "UT", "84101", ("801",), 0.2), ("Las Vegas", "NV", "89101", ("702",), 0.3),
    ("Seattle", "WA", "98101", ("206",), 0.4), ("Portland", "OR", "97204", ("503", "971"), 0.3),
    ("San Francisco", "CA", "94102", ("415", "628"), 0.4), ("Los Angeles", "CA", "90012", ("213", "323"), 0.6),
    ("San Diego", "CA", "92101", ("619",), 0.3), ("Honolulu", "HI", "96813", ("808",), 0.1),
    ("Anchorage", "AK", "99501", ("907",), 0.1), ("San Juan", "PR", "00901", ("787", "939"), 0.2),
]

STREETS = [
    "Main St", "Oak St", "Maple Ave", "Cedar Ln", "Elm St", "High St", "Park Ave", "Washington Ave", "Lincoln Rd",
    "Church St", "Broad St", "Sunset Blvd", "Ridge Rd", "Lakeview Dr", "Hillcrest Dr", "Meadow Ln", "Walnut St",
    "Chestnut St", "Spruce Ct", "Willow Way", "Pine St", "Riverside Dr", "Franklin St", "Jefferson Ave",
    "Madison Ave", "Center St", "Mill Rd", "College Ave", "Summit St", "Forest Ave", "Highland Ave",
    "Prospect St", "Cherry St", "Dogwood Ln", "Sycamore Dr", "Birch Ct", "Woodland Dr", "Fairview Ave",
    "Greenfield Rd", "Kings Hwy", "Orchard Ln", "Olentangy River Rd", "Scioto Trl", "Buckeye Pkwy",
    "Morse Rd", "Cleveland Ave", "Livingston Ave", "Sawmill Rd", "Karl Rd", "Indianola Ave",
]
DIRECTIONS = ["N", "S", "E", "W"]
UNITS = ["Apt", "Apt", "Apt", "Unit", "Lot", "Ste"]

EMAIL_DOMAINS = ["example.com", "example.net", "example.org", "mail.example.com"]  # RFC 2606: never delivered

ALERTS = [
    ("Collect balance before visit", 30), ("Hard of hearing", 15), ("Needs a sign language interpreter", 2),
    ("Latex allergy", 8), ("Wheelchair: needs accessible room", 6), ("Payment plan in place", 10),
    ("Prefers a female provider", 5), ("Service animal", 3), ("Records requested from previous provider", 6),
    ("Address returned as undeliverable", 5), ("Do not leave voicemail", 4),
]

EMERGENCY_RELATIONSHIPS = [("Sister", 12), ("Brother", 10), ("Daughter", 14), ("Son", 12), ("Mother", 12),
                           ("Father", 6), ("Friend", 10), ("Partner", 6), ("Neighbor", 3), ("Aunt", 3)]

EMPLOYERS = [
    "Nationwide", "Ohio State University", "OhioHealth", "Kroger", "JPMorgan Chase", "Cardinal Health",
    "Honda of America", "Huntington Bank", "Columbus City Schools", "State of Ohio", "Franklin County",
    "City of Columbus", "Walmart", "Amazon", "L Brands", "Abercrombie & Fitch", "Battelle", "Wendy's",
    "Big Lots", "Mount Carmel Health", "Nationwide Children's Hospital", "American Electric Power",
    "Scioto Valley Logistics", "Buckeye Tool & Die", "Olentangy Landscaping", "Riverside Auto Repair",
    "German Village Bakery", "Short North Coffee Co.", "Worthington Schools", "Central Ohio Transit Authority",
]

# -- the payer directory -------------------------------------------------------------------------
# (key, name, electronic payer ID, CFI, timely filing days, line1, line2, city, state, zip, phone)
PAYERS: list[tuple[str, str, str, str, int, str, str, str, str, str, str]] = [
    ("medicare", "Medicare Part B (Ohio, CGS J15)", "15202", "MB", 365, "PO Box 20018", "", "Nashville", "TN",
     "37202", "+18664906276"),
    ("medicaid", "Ohio Medicaid", "MMISODJFS", "MC", 365, "PO Box 1461", "", "Columbus", "OH", "43216",
     "+18003240103"),
    ("caresource", "CareSource Ohio Medicaid", "31114", "MC", 180, "PO Box 8730", "", "Dayton", "OH", "45401",
     "+18004881165"),
    ("aetna", "Aetna", "60054", "CI", 120, "PO Box 981106", "", "El Paso", "TX", "79998", "+18886323862"),
    ("cigna", "Cigna", "62308", "CI", 90, "PO Box 188061", "", "Chattanooga", "TN", "37422", "+18008829256"),
    ("uhc", "UnitedHealthcare", "87726", "CI", 90, "PO Box 30555", "", "Salt Lake City", "UT", "84130",
     "+18778423210"),
    ("humana", "Humana", "61101", "CI", 180, "PO Box 14601", "", "Lexington", "KY", "40512", "+18004574708"),
    ("humana_ma", "Humana Gold Plus (Medicare Advantage)", "61101", "16", 365, "PO Box 14601", "", "Lexington",
     "KY", "40512", "+18004574708"),
    ("anthem", "Anthem Blue Cross and Blue Shield (Ohio)", "00834", "BL", 90, "PO Box 105187", "", "Atlanta",
     "GA", "30348", "+18006761660"),
    ("mmo", "Medical Mutual of Ohio", "29076", "CI", 180, "PO Box 6018", "", "Cleveland", "OH", "44101",
     "+18002324300"),
    ("aarp", "AARP Medicare Supplement (UnitedHealthcare)", "36273", "CI", 365, "PO Box 740819", "", "Atlanta",
     "GA", "30374", "+18005231515"),
    ("omaha", "Mutual of Omaha Medicare Supplement", "71412", "CI", 365, "3300 Mutual of Omaha Plaza", "",
     "Omaha", "NE", "68175", "+18007754926"),
    ("tricare", "TRICARE East (Humana Military)", "57106", "CH", 365, "PO Box 7981", "", "Madison", "WI",
     "53707", "+18004449630"),
    ("va", "VA Community Care Network (Optum)", "VACCN", "VA", 180, "PO Box 202117", "", "Florence", "SC",
     "29502", "+18884944044"),
    ("bwc", "Ohio Bureau of Workers' Compensation", "OHBWC", "WC", 365, "30 W Spring St", "", "Columbus", "OH",
     "43215", "+18006446292"),
]

# Plan names per payer (the card says one of these).
PLANS = {
    "medicare": ["Medicare Part B"], "medicaid": ["Ohio Medicaid"], "caresource": ["CareSource Medicaid"],
    "aetna": ["Aetna Choice POS II", "Aetna Open Access Managed Choice", "Aetna HMO"],
    "cigna": ["Cigna Open Access Plus", "Cigna LocalPlus", "Cigna HMO"],
    "uhc": ["UnitedHealthcare Choice Plus", "UnitedHealthcare Navigate HMO", "UnitedHealthcare Options PPO"],
    "humana": ["Humana ChoiceCare PPO", "Humana National POS"],
    "humana_ma": ["Humana Gold Plus HMO", "Humana Choice PPO"],
    "anthem": ["Anthem Blue Access PPO", "Anthem Pathway HMO", "Anthem Blue Access Choice"],
    "mmo": ["Medical Mutual SuperMed PPO", "Medical Mutual Market Health"],
    "aarp": ["AARP Medicare Supplement Plan G", "AARP Medicare Supplement Plan F", "AARP Medicare Supplement Plan N"],
    "omaha": ["Medicare Supplement Plan G", "Medicare Supplement Plan N"],
    "tricare": ["TRICARE Prime", "TRICARE Select"], "va": ["Veterans Community Care"],
    "bwc": ["Workers' compensation claim"],
}
