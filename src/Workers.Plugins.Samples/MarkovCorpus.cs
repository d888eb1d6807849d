namespace Workers.Plugins.Samples;

/// <summary>The default text the markov plugin learns from: original prose written for this project.</summary>
internal static class MarkovCorpus
{
    public const string Text = """
        The harbour machines wake before the sun. A crane turns its long neck toward the water, and the engine
        under it hums a low steady note that the gulls have learned to ignore. Rain comes in from the west in
        thin grey sheets, and the cranes keep working, because the ships do not wait for better weather.

        On the sea the wind changes its mind every hour. In the morning it pushes the waves into long patient
        rows; by noon it tears the tops off them and throws white spray across the decks. The old sailors say
        that a machine can be trusted more than the weather, since a machine breaks in the same way every time,
        while the weather finds a new way to break you.

        In the engine room the pistons rise and fall like the breathing of a sleeping animal. The engineer walks
        between them with a lamp and a notebook, listening for the one sound that does not belong. A loose bolt
        sings a high thin song. A tired bearing growls. A healthy engine only hums, and the hum is the sound of
        the ship going home.

        When the storm arrives it arrives all at once. The sky turns the colour of wet iron, the rain falls
        sideways, and the lighthouse throws its beam across water that looks like a field of broken glass. The
        ships in the harbour pull at their ropes. The cranes stand still at last, their arms folded against the
        wind, waiting like patient machines for the weather to tire.

        By evening the clouds break apart and the sea lies down again. The water turns from black to silver to
        a soft and quiet blue. Somewhere a pump starts, then a generator, then the first crane, and the harbour
        remembers its work. The gulls return to the masts. The engineer closes his notebook, because tonight the
        engines only hum, and the sea is calm, and every machine in the harbour is ready for the morning.
        """;
}
