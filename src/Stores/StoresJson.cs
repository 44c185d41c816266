using System.Text.Json;
using Kiln.Api.Types;

namespace Kiln.Stores;

/// <summary>JSON for the files Kiln shares with Lotus on disk (Go's <c>json.MarshalIndent(v, "", "  ")</c>).</summary>
internal static class StoresJson
{
    public static JsonSerializerOptions Indented { get; } = new(ApiJson.Options) { WriteIndented = true, IndentSize = 2 };

    /// <summary>
    /// Writes <paramref name="file"/> through <c>file.tmp</c>: written, flushed to disk, renamed over the old file, and
    /// the directory flushed, so a crash at any point leaves the whole old file or the whole new one.
    /// </summary>
    public static async Task WriteAtomicallyAsync<T>(string file, T value, CancellationToken ct)
    {
        var temp = file + ".tmp";
        await File.WriteAllBytesAsync(temp, JsonSerializer.SerializeToUtf8Bytes(value, Indented), ct).ConfigureAwait(false);
        Local.Durability.PublishRename(temp, file, overwrite: true);
    }
}
