// Comments a UK school's social media account really receives, for the traffic generator and the
// demo, on any platform. Each category holds hand-written core sentences grouped by kind, with
// placeholders ({pupil} {year} {club} {phone} {email} {url} {teacher} {paper} {station} {event}
// {place} {day}); the generator adds an opener and a closer from the category's own lists, so a
// session never shows the same text twice. The offensive, threatening and safeguarding lines
// exist so the classifier and the moderation flow have something to catch, including what a word
// list misses (#20): they are test data, fictional, and aimed at no real person or group.

export const COMMENT_CATEGORIES = [
  'praise',
  'question',
  'complaint',
  'media_enquiry',
  'offensive',
  'threat',
  'safeguarding',
  'pupil_named',
  'personal_data',
  'spam',
] as const;
export type CommentCategory = (typeof COMMENT_CATEGORIES)[number];

/**
 * Comments per 100, roughly what a primary school's account sees in a busy week, with the
 * concerns a little denser so that a demo shows each kind within minutes. Every category holds
 * more core sentences than its weight, so no core sentence comes back within 100 comments.
 */
export const CATEGORY_WEIGHTS: Readonly<Record<CommentCategory, number>> = {
  praise: 27,
  question: 25,
  complaint: 11,
  media_enquiry: 4,
  offensive: 8,
  threat: 3,
  safeguarding: 6,
  pupil_named: 5,
  personal_data: 5,
  spam: 6,
};

export const CORPUS: Readonly<Record<CommentCategory, Readonly<Record<string, readonly string[]>>>> = {
  praise: {
    events: [
      'What a brilliant {event}! Thank you to all the staff',
      'Lovely to see the children so happy on the trip',
      'The {event} was the best one yet, the singing had me in tears',
      'Such a great turnout at the {event}, the PTA smashed it',
      'Loved every minute of the {event}, the costumes were incredible',
      'My two have not stopped talking about the {event} since they got home',
      'That was the calmest {event} I have been to in years, so well organised',
      'The cake stall at the {event} was a triumph, thank you to everyone who baked',
      'Great photos from the {event}, can we get copies?',
      'Fantastic effort from everyone at the {event} despite the rain',
      'The Year 6 production was properly funny, some future actors there',
      'Sports day medals are still on display in our kitchen',
    ],
    staff: [
      'Huge thanks to {teacher} for everything this year',
      '{teacher} has been amazing with my son this term, he finally loves reading',
      'Thank you to the office team for sorting the lost coat so quickly',
      'The lunchtime staff deserve a medal, they know every child by name',
      'Shout out to {teacher} for staying late at {club} every week',
      'Whoever runs the reading corner, my daughter thinks it is magic',
      'The new head has made such a difference, the kids seem so settled',
      'Thanks to the caretaker for gritting the path first thing this morning',
      'Please pass on our thanks to {teacher}, the parents evening chat really helped',
      'The teaching assistants in {year} are unsung heroes',
    ],
    school: [
      'So proud of our school community today',
      'Fab newsletter this week, really helpful',
      'The new library looks fantastic, well done everyone',
      'Well done {year}, you were amazing today',
      'The garden club vegetables look better than mine',
      'Congratulations on the Ofsted report, thoroughly deserved',
      'The new climbing frame is a big hit, mine wanted to stay till dark',
      'Love that the school posts what they have been learning each week',
      'Brilliant to see {club} growing, there were loads of kids there on {day}',
      'My eldest left years ago and still talks about this school',
      'The charity total this year is amazing, well done all',
      'The hedgehog house the children built is adorable',
      'Good luck to the {year} choir at the festival',
      'Such a warm welcome for our new starters, thank you',
    ],
    // School life in the words of harm: what a word list flags and a reader would not.
    school_life: [
      'The wellbeing team’s session on self harm and how to help a mate was brilliant, thank you',
      'Good assembly on online safety, they explained what grooming looks like and who to tell',
      'ur dead for tagging me in this one 😂😂',
      'Gorgeous photos from the residential at Twatt in Orkney',
      'Break a leg to the {year} cast tonight!',
      'The under 11s absolutely killed it on {day}',
      'History homework on how the Nazis radicalised young people was heavy going but she loved it',
      'Forest school today: whittling with knives and a fire, they loved it',
    ],
  },
  question: {
    dates: [
      'Is it non-uniform day on Friday?',
      'Where can I find the term dates for next year?',
      'When do the INSET days fall this term?',
      'What date does the school break up for summer?',
      'Is parents evening still on {day} or has it moved?',
      'When is the {event} this year?',
      'Is there school on the Monday after the bank holiday?',
      'What time do the doors open for the {event}?',
    ],
    uniform: [
      'Does the uniform shop open before September?',
      'Can the children wear shorts after half term?',
      'Are black trainers ok or do they have to be school shoes?',
      'Where do we get the PE tops with the logo on?',
      'Is there a second hand uniform sale this term?',
      'Do the jumpers need a name label if they have the logo?',
    ],
    clubs: [
      'What time does {club} finish on Wednesdays?',
      'Are there still places in {club} for {year}?',
      'Is {club} running this week with {teacher} off?',
      'How much is breakfast club per session now?',
      'Can Reception children join {club} or is it juniors only?',
      'Does {club} need a packed tea or do they get a snack?',
    ],
    practical: [
      'Is the school open tomorrow with the snow?',
      'Do we need to send a packed lunch for the trip?',
      'How do I apply for free school meals?',
      'Who do I speak to about my child starting in {year} midway through the year?',
      'Is there parking for parents at the {event} or should we walk?',
      'How do we top up dinner money, the app is not loading',
      'Can grandparents pick up if they are not on the list? How do we add them?',
      'Are the reading books changed on {day} or {day}?',
      'Has anyone handed in a blue lunchbox with a dinosaur on it?',
      'Do the children need wellies for forest school this week?',
      'Is the Year 6 residential deposit due this week or next?',
      'What is the best way to contact the SENCo?',
      'Are nuts allowed in packed lunches or is it a nut free school?',
      'Will the {event} be streamed for parents who work?',
    ],
  },
  complaint: {
    communication: [
      'Still no reply to my email about the bus, three weeks now',
      'Why are we only told about the {event} the day before?',
      'Nobody answers the office phone after 2pm, it just rings out',
      'The letter about the trip came home on the day the money was due',
      'Three different dates for the {event} in three different messages, which is it?',
    ],
    decisions: [
      'Very disappointed with how the complaint about {year} was handled',
      'The homework policy is a joke, nobody explains anything',
      'My child has been left out of {club} again with no explanation',
      'Cancelling {club} with an hour notice is not fair on working parents',
      'Why does {year} get a trip and {year} gets nothing again?',
      'Charging for the {event} when it used to be free is a bit much',
      'The new pick-up system has made everything slower, not faster',
    ],
    site: [
      'The car park at pick-up is a disgrace, someone will get hurt',
      'The toilets in the juniors have been broken for a fortnight',
      'Parents parking on the zigzags every single morning and nobody says anything',
      'The playground floods every time it rains, the kids come home soaked',
      'Lost property is a mess, third jumper gone this term',
      'Hot dinners were cold again today according to my son',
    ],
  },
  media_enquiry: {
    press: [
      "Hi, I'm a reporter at the {paper}. Could the school comment on today's closure?",
      "I'm writing a piece for the {paper} about the Ofsted report, could the head give a quote?",
      'Journalist here ({paper}), we have been told about an incident at the gates, can you confirm?',
      'BBC local radio: would someone be available for a short interview about the {event}?',
    ],
    plain_words: [
      'Hi, I produce the breakfast show on {station}. Could we chat to the head about the new playground before Friday?',
      "We're putting together a feature on the {event} for this week's edition, who is best to speak to?",
      'Could someone from the school ring our newsdesk about what happened at the gates this morning?',
      'Hello, I cover education for the {paper}. Is the head free for five minutes today?',
      'Researcher from a TV production company here, we would love to film a day in your school for a documentary. Who should I contact?',
      'Putting together a story on school funding in the area, would the head go on the record?',
      'Can you confirm whether the school is closing early because of the flooding? Our readers are asking',
      'Our podcast is covering SATs stress this week, would one of your teachers join us for half an hour?',
    ],
  },
  offensive: {
    evasive_spelling: [
      "you're all useless id10ts",
      'what a load of sh1t this school is',
      'f.u.c.k this place honestly',
      'the head is a complete tw@t',
      'useless b*stards the lot of you',
      'this school is fkn pathetic',
      'absolute m0rons running this place',
      'phuk the lot of u, clowns',
      's h i t e school with s h i t e teachers',
      'what a bunch of w4nkers in that office',
      'shiiiiiite school run by muppets',
    ],
    hate_opinion: [
      'Schools round here would be better off without all these families who do not even speak English',
      'People like that should not be teaching children, it is not natural and parents should get a say',
      'I do not want my kids taught by someone who covers her head, simple as',
      'The disabled kids hold the rest of the class back, they should be somewhere else',
    ],
    innuendo: [
      '{teacher} can give me a detention any time 😏🍑',
      '{teacher} looking 🔥 at sports day, would not say no to a private lesson 😉',
    ],
  },
  threat: {
    no_swear_word: [
      "I'll be waiting outside the gates for {teacher}, see what happens",
      'watch your back {teacher}, I know where you live',
      'if my kid is excluded again there will be trouble, you have been warned',
      'someone should burn that school down',
      'I know which car {teacher} drives. {day} will be interesting',
      "I'm coming in tomorrow and I won't be leaving until somebody gets what they deserve",
      "keep treating my daughter like this and you'll regret it, every one of you",
      'people like the head need teaching a lesson they will not forget',
    ],
    weapon_report: [
      'my nephew says a boy in {year} is bringing a knife in on {day} to sort someone out',
      'one of the year 9s told everyone he will stab whoever grassed on him',
    ],
  },
  safeguarding: {
    first_person: [
      'i dont feel safe at home, my dad gets really angry and i dont want to go back',
      'i have not eaten properly for days, please dont tell my mum i said',
      'im scared to go home tonight because of what happened last night',
      'my mums new boyfriend shoves me about when shes at work',
    ],
    third_party: [
      'my friend in {year} said her mum’s boyfriend hits her',
      'a girl in my class always has bruises and keeps saying she fell over again',
      'my cousin goes to your school and she told me her stepdad locks her in her room when he has been drinking',
      'a boy on my bus says there is never any food at his house and he takes stuff out of peoples bags',
      'my mate said her uncle does stuff to her when he babysits and she made me promise not to tell',
    ],
    adult_approach: [
      'an older man keeps messaging kids from the school on snapchat',
      'there is a man in a grey van who waits by the back gate and offers the little ones sweets',
      'someone on an online game keeps asking my brother for pictures and says it is their secret',
      'a man at {place} gave my daughters friend a new phone and told her not to tell her parents',
    ],
    exploitation: [
      'older lads are giving year 8s money to carry bags to {place} after school',
      'my son has new trainers and two phones and wont say where from, he disappears every weekend',
      'a boy from {year} gets picked up by some older guys in a car at the gates and comes back with loads of cash',
      'some older kids are paying younger ones £50 a time to drop off packages on their bikes',
    ],
    suicidal_ideation: [
      'some days i think about hurting myself and i dont know who to tell',
      'i just want to go to sleep and not wake up tbh',
      'everyone would be better off without me anyway',
      'whats the point revising when i wont be here for the exams',
    ],
    // A concern written beside something ordinary, whose warm words once drowned it (#20).
    beside_an_event: [
      'Great sponsored walk for the hospice, well done all. honestly everyone would be better off if i wasnt here',
      'lovely harvest festival, thank you. theres no food in our house again and mum says not to tell school',
      'Thanks for the online safety assembly, really useful. a man on roblox keeps asking me to send pics and says its our secret',
      'well done on the Children in Need total! my mate says her stepdad hits her when her mum is on nights',
    ],
    extremism: [
      'there is a group at the park telling kids to join them and hate people who are different',
      'a lad in {year} keeps sharing videos saying our people are being replaced and we have to fight back',
      'someone is inviting kids to a private chat where they say violence is the only way to protect the country',
    ],
  },
  pupil_named: {
    concern: [
      '{pupil} in {year} is being bullied every lunchtime and nobody does anything',
      '{pupil} ({year}) keeps hitting my son, sort it out',
      'Is {pupil} in {year} ok? They looked really upset at pick-up',
      '{pupil} from {year} was crying at the gate again this morning',
      'Can someone keep an eye on {pupil} in {year}, they have been left out at break all week',
    ],
    celebration: [
      'Well done {pupil} from {year} for winning the race!',
      'So proud of {pupil} in {year} for reading in assembly',
      'Congratulations {pupil} ({year}) on the county swimming final!',
      '{pupil} in {year} has talked about nothing but {club} all week, thank you',
      'Happy birthday to {pupil} in {year} from all at {club}',
    ],
  },
  personal_data: {
    phone: [
      'Please call me back on {phone} about my daughter',
      'My number is {phone}, the office never answers',
      'Can {teacher} ring me on {phone} after 5?',
      'Text me on {phone}, I need to talk about {pupil}',
      'Ring me on {phone} about the {year} trip payment please',
      'If anyone found a purple scooter at the {event} my number is {phone}',
    ],
    email: [
      'Can the office email me at {email}, I never got the letter',
      'Please send the form to {email}, my old address does not work',
      'My email is {email} if {teacher} can reply about {pupil}',
      'Add me to the PTA list please, {email}',
    ],
  },
  spam: {
    money: [
      'Earn £500 a day from home!!! {url}',
      'Free crypto giveaway for parents {url}',
      'Mums are making £300 a week with this one trick {url}',
      'Claim your £250 school supplies voucher before midnight {url}',
    ],
    selling: [
      'Cheap school uniforms, 70% off today only {url}',
      'Check out my profile for exclusive content {url}',
      'Best essay writing service, guaranteed A* {url}',
      'Want 10k followers for your school page? DM us {url}',
      'Cheap designer trainers, back to school sale {url}',
      'Tutoring that gets results, first lesson free {url}',
      'Win an iPad for your child! Just share and click {url}',
      'Stop scrolling, this fitness plan changed my life {url}',
    ],
  },
};

/** words a person puts before the core sentence; '' means none */
export const OPENERS: Readonly<Record<CommentCategory, readonly string[]>> = {
  praise: ['', '', '', 'Just wanted to say', 'Aww', 'Honestly,', 'Can I just say', 'Wow!'],
  question: [
    '',
    '',
    '',
    'Hi,',
    'Quick question:',
    'Sorry if this has been asked already,',
    'Hiya,',
    'Hello,',
  ],
  complaint: ['', '', '', 'Not impressed.', 'Honestly', 'Sorry but', 'Again.', 'Really?'],
  media_enquiry: ['', '', '', 'Apologies for the direct message.', 'Following up on my email.'],
  offensive: ['', '', '', 'lol', 'honestly', 'mate'],
  threat: ['', '', '', '', 'seriously', 'just so you know'],
  safeguarding: [
    '',
    '',
    '',
    'sorry to put this here but',
    'not sure who else to tell.',
    'idk if this is the right place but',
  ],
  pupil_named: ['', '', '', 'Hi,', 'Just saying,'],
  personal_data: ['', '', '', 'Hi,', 'Urgent:', 'Hello,'],
  spam: ['', '', '', '🔥🔥', 'PARENTS!!', 'Limited time:'],
};

/** words a person puts after it; '' means none */
export const CLOSERS: Readonly<Record<CommentCategory, readonly string[]>> = {
  praise: ['', '', '', '👏', '❤️', 'x', 'Thank you!', 'Well done all', '🙌'],
  question: ['', '', '', 'Thanks', 'Thanks in advance', 'x', 'Cheers', '🙏'],
  complaint: ['', '', '', 'Not good enough.', 'Sort it out.', 'Shocking.', 'Every week the same.'],
  media_enquiry: ['', '', 'Many thanks.', 'Deadline is 4pm.', 'DMs are open.'],
  offensive: ['', '', '', '🤡', '!!!', 'simple as'],
  threat: ['', '', '', '', '.', '!'],
  safeguarding: ['', '', '', 'pls dont share this', 'what do i do', 'sorry', 'please help'],
  pupil_named: ['', '', '', '👍', 'x', '!!'],
  personal_data: ['', '', '', 'Thanks', 'ASAP please', 'x'],
  spam: ['', '', '', '💰💰💰', '👉 link in bio', 'dm now 📩'],
};

export const FILLERS = {
  pupil: [
    'Amelia',
    'Oliver',
    'Isla',
    'Noah',
    'Ava',
    'Leo',
    'Freya',
    'Jack',
    'Poppy',
    'Harry',
    'Maryam',
    'Kacper',
    'Zainab',
    'Alfie',
    'Ruby',
    'Tomasz',
  ],
  year: ['Year 2', 'Year 3', 'Year 4', 'Year 5', 'Year 6', 'Reception', 'Year 1'],
  club: [
    'football club',
    'choir',
    'coding club',
    'breakfast club',
    'netball',
    'drama club',
    'gardening club',
  ],
  phone: ['07700 900123', '07700 900456', '+44 7700 900789', '01632 960001', '07700900321', '07700 900654'],
  email: [
    'sarah.j.1984@example.com',
    'daveroberts@example.net',
    'kerry_yr6@example.org',
    'priya.m@example.co.uk',
  ],
  url: [
    'https://bit.ly/3xAmPl3',
    'http://cheap-deals.example/uk',
    'https://win-now.example/parents',
    'https://t.co/Zq8example',
    'http://free-voucher.example/claim',
  ],
  teacher: ['Mrs Patel', 'Mr Hughes', 'Miss Okafor', 'Mr Davies', 'the head', 'Mrs Kowalski', 'Mr Ahmed'],
  paper: ['Echo', 'Evening Chronicle', 'Gazette', 'Post'],
  station: ['Radio Oakfield', 'BBC Radio Northshire', 'Hits FM'],
  event: [
    'nativity',
    'sports day',
    'summer fair',
    'Year 6 leavers assembly',
    'Christmas fair',
    'harvest festival',
  ],
  place: [
    'the rec',
    'the park by the library',
    'the Tesco car park',
    'the bus station',
    'the chippy on Mill Lane',
  ],
  day: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'],
} as const satisfies Record<string, readonly string[]>;

/** who writes: [username, display name] */
export const AUTHORS = {
  parents: [
    ['mum_of_three_', 'Sarah J'],
    ['dave_the_dad', 'Dave'],
    ['ks2_parent', 'Priya'],
    ['grandad_mike', 'Mike Roberts'],
    ['local_resident_22', 'Concerned Resident'],
    ['pta_chair', 'PTA Chair'],
    ['former_pupil_07', 'Tom'],
    ['yr6_mum', 'Kerry'],
    ['nana_jean', 'Jean'],
    ['footy_dad_lee', 'Lee'],
    ['mrs_b_reads', 'Bev'],
    ['the_real_gaz', 'Gaz'],
    ['aunty_fozia', 'Fozia'],
    ['marek_w', 'Marek'],
    ['chloe_and_twins', 'Chloe'],
  ],
  young: [
    ['kid_gamer_11', 'kid gamer'],
    ['anon_teen_04', 'x'],
    ['sam_k_2011', 'Sam'],
    ['lily_x_09', 'lily'],
    ['throwaway_1209', 'throwaway'],
    ['bluebanana77', 'banana'],
  ],
  media: [
    ['echo_newsdesk', 'Echo Newsdesk'],
    ['radio_oakfield', 'Radio Oakfield'],
    ['jo_writes_news', 'Jo Bennett'],
    ['tv_researcher_k', 'Kat (TV research)'],
  ],
  angry: [
    ['angryparent99', 'A Parent'],
    ['the_real_gaz', 'Gaz'],
    ['truthteller_uk', 'Truth Teller'],
    ['not_a_bot_99', 'N'],
    ['oakfield_watch', 'Oakfield Watch'],
  ],
  spam: [
    ['dealz4u', 'Best Dealz'],
    ['cryptomum_uk', 'Crypto Mum'],
    ['uniform_outlet_x', 'Uniform Outlet'],
    ['growth_hackz', 'Growth'],
  ],
} as const satisfies Record<string, readonly (readonly [string, string])[]>;

export type AuthorPool = keyof typeof AUTHORS;

/** children and teenagers write most disclosures, newsrooms the enquiries, a few angry accounts the abuse, bots the spam */
export const CATEGORY_AUTHORS: Readonly<Record<CommentCategory, AuthorPool>> = {
  praise: 'parents',
  question: 'parents',
  complaint: 'parents',
  media_enquiry: 'media',
  offensive: 'angry',
  threat: 'angry',
  safeguarding: 'young',
  pupil_named: 'parents',
  personal_data: 'parents',
  spam: 'spam',
};

/** every public author, for tools that want one list */
export const PUBLIC_AUTHORS = Object.values(AUTHORS).flat();

/**
 * What a school posts in a week: the roots of the school's own conversations, where most
 * comments arrive as replies (and where the school can hide a reply).
 */
export const SCHOOL_POSTS = [
  'Sports day is on Friday from 1.30pm on the top field. Sun cream and water bottles please!',
  'Our Year 4s had a brilliant trip to the science museum today. Photos on the website soon.',
  'Reminder: school is closed on Monday for staff training. See you all on Tuesday.',
  'Well done to our netball team, through to the county final!',
  'World Book Day is next Thursday. Costumes are optional, a favourite book is all they need.',
  'The PTA summer fair raised £2,340 for new playground equipment. Thank you to everyone who came.',
  'Applications for Reception places close on 15 January. Tours run every Tuesday at 9.30am.',
  'Our new library is open! Thank you to the families who donated books.',
  'Harvest festival donations go to the local food bank this year. Tins and packets to the office please.',
  'Year 6 leavers assembly: 2pm in the hall on the last Wednesday of term. Two seats per family.',
] as const;

/** Posts by other people in the area, where the school is mentioned in a conversation it did not start. */
export const OTHER_POSTS = [
  [
    'oakfield_local',
    'Oakfield Local',
    'Roadworks on Mill Lane from Monday, expect delays at school run times',
  ],
  ['echo_newsdesk', 'Echo Newsdesk', 'Which local primary has the best sports day? Tell us below'],
  [
    'local_resident_22',
    'Concerned Resident',
    'Anyone else fed up with parents parking across driveways at 3pm?',
  ],
  ['pta_chair', 'PTA Chair', 'Lost and found: blue scooter left at the rec on Saturday'],
  ['nana_jean', 'Jean', 'Lovely to see all the little ones walking to the library this morning'],
] as const;
