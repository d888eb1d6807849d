namespace Workers.Plugins.Samples;

internal static class RangedParameters
{
    /// <summary>
    /// Reads an integer parameter that must fit a range; a value outside it fails the job with a message
    /// naming the parameter instead of an overflow or a negative delay deep inside the plugin.
    /// </summary>
    public static int GetInt32InRange(
        this JobContext context, string name, int defaultValue, int min = 0, int max = int.MaxValue)
    {
        var value = context.GetInt64(name, defaultValue);
        return value >= min && value <= max
            ? (int)value
            : throw new ArgumentOutOfRangeException(
                name, value, $"Parameter '{name}' must be between {min} and {max}, got {value}.");
    }
}
