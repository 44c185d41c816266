using System.Text.Json;
using Kiln.Api.Types;

namespace Kiln.Stores.Local;

/// <summary>
/// Lotus <c>storiface.LocalStorageMeta</c>, a path's <c>sectorstore.json</c>: its id (a UUID), weight (0 = read-only),
/// whether it takes sealing and/or long-term files, a size limit (0 = none), groups and filters. Fields in Lotus's order.
/// </summary>
public sealed record LocalStorageMeta(
    StorageId ID,
    ulong Weight,
    bool CanSeal,
    bool CanStore,
    ulong MaxStorage,
    IReadOnlyList<string>? Groups,
    IReadOnlyList<string>? AllowTo,
    IReadOnlyList<string>? AllowTypes,
    IReadOnlyList<string>? DenyTypes,
    IReadOnlyList<string>? AllowMiners,
    IReadOnlyList<string>? DenyMiners)
{
    public const string FileName = "sectorstore.json";

    public static async Task<LocalStorageMeta> LoadAsync(string pathRoot, CancellationToken ct)
    {
        var file = Path.Combine(pathRoot, FileName);
        try
        {
            var s = File.OpenRead(file);
            await using var sScope = s.ConfigureAwait(false);
            var meta = await JsonSerializer.DeserializeAsync<LocalStorageMeta>(s, StoresJson.Indented, ct).ConfigureAwait(false);
            return meta is { ID.Value.Length: > 0 } ? meta : throw new StoresException($"{file}: no storage ID");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new StoresException($"reading storage metadata for {pathRoot}: {e.Message}", inner: e);
        }
    }

    /// <summary>
    /// <c>storage attach --init</c>: writes a new <c>sectorstore.json</c> (new UUID) into an uninitialized directory,
    /// creating it; the path must take sealing or long-term storage.
    /// </summary>
    /// <exception cref="StoresException">Neither seal nor store, or the path already has metadata.</exception>
    public static async Task<LocalStorageMeta> InitializeAsync(
        string pathRoot, ulong weight, bool canSeal, bool canStore, ulong maxStorage, IReadOnlyList<string>? groups, IReadOnlyList<string>? allowTo, CancellationToken ct)
    {
        if (!canSeal && !canStore)
        {
            throw new StoresException("must specify at least one of --store or --seal");
        }

        Directory.CreateDirectory(pathRoot);
        if (File.Exists(Path.Combine(pathRoot, FileName)))
        {
            throw new StoresException($"path is already initialized: {pathRoot}");
        }

        var meta = new LocalStorageMeta(
            StorageId.New(), weight, canSeal, canStore, maxStorage, groups is { Count: > 0 } ? groups : null, allowTo is { Count: > 0 } ? allowTo : null, null, null, null, null);
        await meta.SaveAsync(pathRoot, ct).ConfigureAwait(false);
        return meta;
    }

    public Task SaveAsync(string pathRoot, CancellationToken ct) =>
        StoresJson.WriteAtomicallyAsync(Path.Combine(pathRoot, FileName), this, ct);

    /// <summary>How the path is announced to the index from a host reachable at <paramref name="urls"/>.</summary>
    public StorageInfo ToStorageInfo(IReadOnlyList<string> urls) =>
        new(ID, urls, Weight, MaxStorage, CanSeal, CanStore, Groups, AllowTo, AllowTypes, DenyTypes, AllowMiners, DenyMiners);
}
