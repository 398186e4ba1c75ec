import { describe, expect, it } from 'vitest';
import { PLATFORMS } from '../../../db/schema/index.js';
import { CAPABILITY_NAMES } from '../../../services/platforms/adapter.js';
import { blueskyCapabilities } from '../../../services/platforms/bluesky/index.js';
import {
  accountDisplayName,
  PLATFORM_NAMES,
  platformProfile,
  platformProfiles,
} from '../../../services/platforms/platform-profiles.js';
import { xCapabilities } from '../../../services/platforms/x/x-adapter.js';

describe('platform profiles', () => {
  it('describes every platform the database can hold, Bluesky included', () => {
    expect([...PLATFORM_NAMES].sort()).toEqual([...PLATFORMS].sort());
    expect(platformProfiles().map((p) => p.displayName)).toEqual([
      'X',
      'Facebook',
      'Instagram',
      'YouTube',
      'Bluesky',
    ]);
  });

  it('declares every capability, and gives a reason for each one a platform lacks', () => {
    for (const profile of platformProfiles()) {
      for (const capability of CAPABILITY_NAMES) {
        expect(typeof profile.capabilities[capability], `${profile.platform} ${capability}`).toBe('boolean');
        if (profile.supported && !profile.capabilities[capability] && !/^read/.test(capability))
          expect(profile.capabilities.notes[capability], `${profile.platform} ${capability}`).toBeTruthy();
      }
    }
  });

  it('X: no held-for-review and no turning comments off, each with the reason', () => {
    const x = platformProfile('x');
    expect(x.capabilities.holdForReview).toBe(false);
    expect(x.capabilities.turnOffComments).toBe(false);
    expect(x.capabilities.notes.holdForReview).toMatch(/X does not hold replies/);
    expect(x.capabilities.notes.turnOffComments).toMatch(/X app/);
    // the adapter and the registry agree
    expect(xCapabilities(false)).toEqual(x.capabilities);
    expect(x.maxNoticeChars).toBe(280);
    expect(x.connect).toEqual({ kind: 'oauth2-pkce' });
  });

  it('Instagram sends the notice first (it refuses a reply to a hidden comment) and cannot block', () => {
    const ig = platformProfile('instagram');
    expect(ig.noticeOrder).toBe('notice-first');
    expect(ig.capabilities.block).toBe(false);
    expect(ig.capabilities.notes.block).toMatch(
      /Instagram’s API cannot block; do it in the Instagram app and record it/,
    );
    expect(ig.capabilities.turnOffComments).toBe(true);
    expect(ig.connect).toEqual({ kind: 'facebook-login', picker: 'instagram-business-accounts' });
    expect(platformProfile('facebook').noticeOrder).toBe('reply-then-hide');
    expect(platformProfile('facebook').connect).toEqual({ kind: 'facebook-login', picker: 'pages' });
  });

  it('never lets a notice be longer than the platform accepts a reply', () => {
    for (const profile of platformProfiles()) {
      expect(profile.maxNoticeChars).toBeGreaterThan(0);
      expect(profile.maxNoticeChars).toBeLessThanOrEqual(profile.maxReplyChars);
    }
    expect(platformProfile('facebook').maxNoticeChars).toBeGreaterThan(280);
  });

  it('names a Page by its name and a handle with an @', () => {
    expect(accountDisplayName('facebook', 'Oakfield Primary')).toBe('Oakfield Primary');
    expect(accountDisplayName('instagram', 'oakfield')).toBe('@oakfield');
    expect(accountDisplayName('x', 'oakfield')).toBe('@oakfield');
  });

  it('Bluesky: connects with an app password, hides through the threadgate, cannot delete others’ posts', () => {
    const bsky = platformProfile('bluesky');
    expect(bsky.supported).toBe(true);
    expect(bsky.connect).toEqual({ kind: 'app-password' });
    expect(bsky.maxReplyChars).toBe(300);
    expect(bsky.capabilities).toMatchObject({
      hide: true,
      mute: true,
      block: true,
      report: true,
      delete: false,
    });
    expect(bsky.capabilities.notes.hide).toMatch(/threads the account started, at most 300/);
    expect(bsky.capabilities.notes.delete).toMatch(/only its own posts/);
    // the adapter and the registry agree
    expect(blueskyCapabilities).toEqual(bsky.capabilities);
  });
});
