using System.Text.Json;
using Kiln.Api.Types;

namespace Kiln.Stores;

/// <summary>JSON for the files Kiln shares with Lotus on disk (Go's <c>json.MarshalIndent(v, "", "  ")</c>).</summary>
internal static class StoresJson
{
    public static JsonSerializerOptions Indented { get; } = new(ApiJson.Options) { WriteIndented = true, IndentSize = 2 };

    public static async Task WriteAtomicallyAsync<T>(string file, T value, CancellationToken ct)
    {
        var temp = file + ".tmp";
        await File.WriteAllBytesAsync(temp, JsonSerializer.SerializeToUtf8Bytes(value, Indented), ct);
        File.Move(temp, file, overwrite: true);
    }
}
