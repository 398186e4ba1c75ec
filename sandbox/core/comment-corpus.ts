// Comments a UK school's X account really receives, for the traffic generator and the demo.
// Placeholders: {pupil} {year} {club} {phone} {url} {teacher} {paper} {event}. The offensive and
// threatening lines exist so the classifier and the moderation flow have something to catch;
// they are test data, fictional, and aimed at no real person.

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

/** relative frequency, roughly what a primary school's account sees in a term */
export const CATEGORY_WEIGHTS: Readonly<Record<CommentCategory, number>> = {
  praise: 30,
  question: 28,
  complaint: 10,
  media_enquiry: 3,
  offensive: 8,
  threat: 2,
  safeguarding: 3,
  pupil_named: 5,
  personal_data: 4,
  spam: 7,
};

export const CORPUS: Readonly<Record<CommentCategory, readonly string[]>> = {
  praise: [
    'What a brilliant {event}! Thank you to all the staff 👏',
    'Well done {year}, you were amazing today',
    'Huge thanks to {teacher} for everything this year',
    'Lovely to see the children so happy on the trip',
    'The new library looks fantastic, well done everyone',
    'So proud of our school community today ❤️',
    'Fab newsletter this week, really helpful',
  ],
  question: [
    'Is it non-uniform day on Friday?',
    'Where can I find the term dates for next year?',
    'Does the uniform shop open before September?',
    'What time does {club} finish on Wednesdays?',
    'Are there still places in {club} for {year}?',
    'Is the school open tomorrow with the snow?',
    'When do the INSET days fall this term?',
    'Do we need to send a packed lunch for the trip?',
    'How do I apply for free school meals?',
  ],
  complaint: [
    'Still no reply to my email about the bus, three weeks now',
    'The car park at pick-up is a disgrace, someone will get hurt',
    'Why are we only told about {event} the day before?',
    'Very disappointed with how the complaint about {year} was handled',
    'The homework policy is a joke, nobody explains anything',
    'My child has been left out of {club} again with no explanation',
  ],
  media_enquiry: [
    "Hi, I'm a reporter at the {paper}. Could the school comment on today's closure?",
    "I'm writing a piece for the {paper} about the Ofsted report, could the head give a quote?",
    'Journalist here ({paper}), we have been told about an incident at the gates, can you confirm?',
    'BBC local radio: would someone be available for a short interview about {event}?',
  ],
  offensive: [
    "you're all useless id10ts",
    'what a load of sh1t this school is',
    'f.u.c.k this place honestly',
    'the head is a complete tw@t',
    'useless b*stards the lot of you',
    'this school is fkn pathetic',
    'absolute m0rons running this place',
  ],
  threat: [
    "I'll be waiting outside the gates for {teacher}, see what happens",
    'someone should burn that school down',
    'watch your back {teacher}, I know where you live',
    'if my kid is excluded again there will be trouble, you have been warned',
  ],
  safeguarding: [
    'i dont feel safe at home, my dad gets really angry and i dont want to go back',
    'some days i think about hurting myself and i dont know who to tell',
    'my friend in {year} said her mum’s boyfriend hits her',
    'an older man keeps messaging kids from the school on snapchat',
    'i have not eaten properly for days, please dont tell my mum i said',
    'there is a group at the park telling kids to join them and hate people who are different',
  ],
  pupil_named: [
    '{pupil} in {year} is being bullied every lunchtime and nobody does anything',
    'Well done {pupil} from {year} for winning the race!',
    '{pupil} ({year}) keeps hitting my son, sort it out',
    'Is {pupil} in {year} ok? She looked upset at pick-up',
  ],
  personal_data: [
    'Please call me back on {phone} about my daughter',
    'My number is {phone}, the office never answers',
    'Can {teacher} ring me on {phone} after 5?',
    'Text me on {phone}, I need to talk about {pupil}',
  ],
  spam: [
    'Earn £500 a day from home!!! {url}',
    'Cheap school uniforms, 70% off today only {url}',
    'Free crypto giveaway for parents 🚀 {url}',
    'Check out my profile for exclusive content {url}',
  ],
};

export const FILLERS = {
  pupil: ['Amelia', 'Oliver', 'Isla', 'Noah', 'Ava', 'Leo', 'Freya', 'Jack', 'Poppy', 'Harry'],
  year: ['Year 2', 'Year 3', 'Year 4', 'Year 5', 'Year 6', 'Reception'],
  club: ['football club', 'choir', 'coding club', 'breakfast club', 'netball', 'drama club'],
  phone: ['07700 900123', '07700 900456', '+44 7700 900789', '01632 960001', '07700900321'],
  url: ['https://bit.ly/3xAmPl3', 'http://cheap-deals.example/uk', 'https://win-now.example/parents'],
  teacher: ['Mrs Patel', 'Mr Hughes', 'Miss Okafor', 'Mr Davies', 'the head'],
  paper: ['Echo', 'Evening Chronicle', 'Gazette', 'Post'],
  event: ['nativity', 'sports day', 'summer fair', 'Year 6 leavers assembly', 'World Book Day'],
} as const satisfies Record<string, readonly string[]>;

export const PUBLIC_AUTHORS = [
  ['mum_of_three_', 'Sarah J'],
  ['dave_the_dad', 'Dave'],
  ['ks2_parent', 'Priya'],
  ['grandad_mike', 'Mike Roberts'],
  ['local_resident_22', 'Concerned Resident'],
  ['pta_chair', 'PTA Chair'],
  ['echo_newsdesk', 'Echo Newsdesk'],
  ['kid_gamer_11', 'kid gamer'],
  ['dealz4u', 'Best Dealz'],
  ['angryparent99', 'A Parent'],
  ['former_pupil_07', 'Tom'],
  ['yr6_mum', 'Kerry'],
] as const;
