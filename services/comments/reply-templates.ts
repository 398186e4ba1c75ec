/**
 * Starting points for a reply in the comment page's composer. They never name a pupil, quote the
 * comment or promise an outcome; staff edit them before sending, and the outgoing check still runs.
 */
export const REPLY_TEMPLATES = [
  {
    id: 'thanks',
    title: 'Thank you',
    text: 'Thank you for your comment. We are glad you enjoyed it and will pass your kind words on to the team.',
  },
  {
    id: 'information',
    title: 'Where to find information',
    text: 'Thank you for asking. You can find the details in the latest newsletter on our website, or the school office will be happy to help.',
  },
  {
    id: 'take_offline',
    title: 'Take it offline',
    text: 'Thank you for getting in touch. We would like to talk about this properly: please contact the school office so we can arrange a time.',
  },
  {
    id: 'complaints',
    title: 'Complaints procedure',
    text: 'We are sorry to hear this. Please contact the school office, or use our complaints procedure on the school website, so we can look into it.',
  },
] as const;
