using System.Collections.Frozen;
using System.Text.Json;

namespace Kiln.Proofs.Sdr;

/// <summary>
/// rust-fil-proofs' <c>storage-proofs-porep/parent_cache.json</c>, embedded: cache id → whole-file SHA-256 of
/// the ten V1 / V1_1 graphs. Synthetic and NI-PoRep graphs are not listed and are never checked.
/// </summary>
internal static class ParentCacheManifest
{
    private const string ResourceName = "Kiln.Proofs.parent_cache.json";

    private static readonly FrozenDictionary<string, Entry> Entries = Load();

    public static int Count => Entries.Count;

    public static bool TryGet(string cacheId, out Entry entry) => Entries.TryGetValue(cacheId, out entry!);

    private static FrozenDictionary<string, Entry> Load()
    {
        using var stream = typeof(ParentCacheManifest).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing");
        using var doc = JsonDocument.Parse(stream);
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        foreach (var property in doc.RootElement.EnumerateObject())
        {
            var sectorSize = property.Value.GetProperty("sector_size").GetUInt64();
            var digest = Convert.FromHexString(property.Value.GetProperty("digest").GetString() ?? string.Empty);
            entries.Add(property.Name, new Entry(sectorSize, digest));
        }

        return entries.ToFrozenDictionary(StringComparer.Ordinal);
    }

    internal sealed record Entry(ulong SectorSize, byte[] Digest);
}
