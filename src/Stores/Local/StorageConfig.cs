using System.Text.Json;

namespace Kiln.Stores.Local;

/// <summary>
/// Lotus <c>storiface.StorageConfig</c>, the repo's <c>storage.json</c>: <c>{"StoragePaths":[{"Path":"/abs/path"}]}</c>,
/// written 2-space indented.
/// </summary>
public sealed record StorageConfig(IReadOnlyList<LocalPathConfig> StoragePaths)
{
    public const string FileName = "storage.json";

    /// <summary>The file's paths, or none when it does not exist.</summary>
    public static async Task<StorageConfig> LoadAsync(string file, CancellationToken ct)
    {
        if (!File.Exists(file))
        {
            return new StorageConfig([]);
        }

        var s = File.OpenRead(file);
        await using var sScope = s.ConfigureAwait(false);
        var config = await JsonSerializer.DeserializeAsync<StorageConfig>(s, StoresJson.Indented, ct).ConfigureAwait(false)
            ?? throw new StoresException($"{file}: empty storage config");
        return config with { StoragePaths = config.StoragePaths ?? [] };
    }

    /// <summary>Writes the file through a temporary file and a rename, so a crash leaves the old or the new file.</summary>
    public Task SaveAsync(string file, CancellationToken ct) => StoresJson.WriteAtomicallyAsync(file, this, ct);
}

/// <summary>One <c>StoragePaths</c> entry of <see cref="StorageConfig"/>.</summary>
public sealed record LocalPathConfig(string Path);
