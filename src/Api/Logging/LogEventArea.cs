namespace Kiln.Api.Logging;

/// <summary>
/// The event ids the log messages of one area of Kiln use: those of types in <see cref="Namespace"/> (or below it,
/// unless a deeper area is listed) take ids from <see cref="First"/> to <see cref="Last"/>.
/// </summary>
/// <param name="Namespace">The namespace the area's types are in, e.g. <c>Kiln.Miner.Sealing</c>.</param>
/// <param name="First">The area's lowest event id.</param>
/// <param name="Last">The area's highest event id.</param>
/// <param name="What">What the area holds, for people reading the table.</param>
public sealed record LogEventArea(string Namespace, int First, int Last, string What)
{
    /// <summary>Whether <paramref name="id"/> is in the area's range.</summary>
    public bool Contains(int id) => id >= First && id <= Last;

    /// <summary>Whether <paramref name="ns"/> is the area's namespace or one below it.</summary>
    public bool Covers(string? ns) =>
        ns is not null && ns.StartsWith(Namespace, StringComparison.Ordinal) && (ns.Length == Namespace.Length || ns[Namespace.Length] == '.');
}
