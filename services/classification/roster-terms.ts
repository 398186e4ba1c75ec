/**
 * "Year 4", "Yr 4", "Y4", "4B", "class 3", "Reception", on the folded text. Used only beside a
 * roster first name: a first name alone is too common to mean a pupil.
 */
export const YEAR_GROUP_MENTION =
  /\b(?:year|yr|y)\s?-?(?:1[0-3]|[1-9]|r|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen)\b|\bclass\s?(?:1[0-3]|[1-9])[a-z]?\b|\b[1-9][a-z]\b|\b(?:reception|nursery)\b/g;
