import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../services/classification/create-classifier.js';
import { labelTier } from '../../../services/classification/label-tier.js';

describe('who the comment page says gave a label', () => {
  const classifier = createClassifier();

  it('names the learned model, not a rule, and points at no words of its own', () => {
    const text = 'sorry to put this here but a boy on my bus says there is never any food at his house';
    const label = classifier.classify(text).labels.find((l) => l.source.startsWith('model@'));
    expect(label, 'the model labels this disclosure').toBeDefined();
    expect(labelTier(label!.source)).toMatchObject({
      tier: 'model',
      title: 'Learned model',
      wholeComment: true,
    });
  });

  it('names a sentence rule, and says when the model confirmed it', () => {
    expect(labelTier('structure:threat-phrase')).toMatchObject({
      title: 'Sentence rule',
      detail: 'threat-phrase',
    });
    expect(labelTier('structure:threat-phrase+model@b710f0e508c2')).toMatchObject({
      title: 'Sentence rule, confirmed by the learned model',
      detail: 'threat-phrase',
    });
    expect(labelTier('lexicon:offensive/insult')).toMatchObject({
      title: 'Rule',
      detail: 'lexicon:offensive/insult',
    });
  });
});
