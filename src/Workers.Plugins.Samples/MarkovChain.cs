namespace Workers.Plugins.Samples;

/// <summary>
/// A word-level, first-order Markov chain: for each word, the words that followed it in the corpus, with
/// repeats, so a successor seen twice is drawn twice as often.
/// </summary>
internal sealed class MarkovChain
{
    private static readonly char[] Punctuation = ['.', ',', ';', ':', '!', '?', '"', '\'', '(', ')'];

    // Keys are normalised (lower case, no punctuation) so a prompt matches "Sea," as well as "sea";
    // successors keep the corpus spelling so the output keeps its punctuation.
    private readonly Dictionary<string, string[]> _successors;
    private readonly string[] _sentenceStarts;

    private MarkovChain(Dictionary<string, string[]> successors, string[] sentenceStarts)
    {
        _successors = successors;
        _sentenceStarts = sentenceStarts;
    }

    /// <summary>Builds the chain; throws <see cref="ArgumentException"/> for a corpus without words.</summary>
    public static MarkovChain Build(string corpus)
    {
        var words = corpus.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
        {
            throw new ArgumentException("The markov corpus contains no words.", nameof(corpus));
        }

        var successors = new Dictionary<string, List<string>>();
        var starts = new List<string> { words[0] };
        for (var i = 0; i < words.Length; i++)
        {
            // The corpus wraps around, so the last word leads back to the first and no word is a dead end.
            var next = words[(i + 1) % words.Length];
            var key = Normalise(words[i]);
            if (!successors.TryGetValue(key, out var list))
            {
                successors[key] = list = [];
            }

            list.Add(next);
            if (EndsSentence(words[i]) && i + 1 < words.Length)
            {
                starts.Add(next);
            }
        }

        return new MarkovChain(successors.ToDictionary(pair => pair.Key, pair => pair.Value.ToArray()), [.. starts]);
    }

    /// <summary>
    /// Generates words without end: first the prompt's words, then successors of the last word. A word the
    /// corpus never saw is followed by the start of a random sentence.
    /// </summary>
    public IEnumerable<string> Generate(Random random, IReadOnlyList<string> prompt)
    {
        foreach (var word in prompt)
        {
            yield return word;
        }

        var current = prompt.Count > 0 ? prompt[^1] : Pick(random, _sentenceStarts);
        if (prompt.Count == 0)
        {
            yield return current;
        }

        while (true)
        {
            current = _successors.TryGetValue(Normalise(current), out var next)
                ? Pick(random, next)
                : Pick(random, _sentenceStarts);
            yield return current;
        }
    }

    private static string Pick(Random random, string[] choices) => choices[random.Next(choices.Length)];

    private static string Normalise(string word) => word.Trim(Punctuation).ToLowerInvariant();

    private static bool EndsSentence(string word) => word.TrimEnd('"', '\'', ')') is [.., '.' or '!' or '?'];
}
