using System.Text.Json.Serialization;
using Kiln.Api.Types.Json;

namespace Kiln.Api.Types;

/// <summary>
/// Lotus <c>storiface.ID</c>: a storage path's id (a UUID in text form, from its <c>sectorstore.json</c>).
/// JSON: the string, also as a map key. Go does not check the text, and neither does this type.
/// </summary>
[JsonConverter(typeof(StorageIdJsonConverter))]
public readonly record struct StorageId(string Value)
{
    public static StorageId New() => new(Guid.NewGuid().ToString());

    public override string ToString() => Value ?? "";

    /// <summary>Lotus <c>IDList.String()</c>: ids joined with <c>.</c> (the <c>/remote</c> DELETE <c>keep</c> parameter).</summary>
    public static string JoinList(IEnumerable<StorageId> ids) => string.Join('.', ids.Select(i => i.Value));

    /// <summary>The inverse of <see cref="JoinList"/>; an empty string is an empty list.</summary>
    public static IReadOnlyList<StorageId> SplitList(string text) =>
        string.IsNullOrEmpty(text) ? [] : [.. text.Split('.').Select(s => new StorageId(s))];
}
