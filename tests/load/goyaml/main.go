// Command goyaml reads YAML texts as Kubernetes does (go-yaml v2, then the key and value
// conversion of sigs.k8s.io/yaml) and prints what it got, for the differential test.
//
// Input on stdin: a JSON array of YAML texts. Output on stdout: a JSON array with, per text,
// {"ok": true, "docs": [...]} or {"ok": false, "error": "..."}; each document is a typed tree:
// null, {"b": bool}, {"i": "digits"}, {"f": "float"}, {"s": "text"}, [items] or {"m": {...}}.
// "strict" holds the same with go-yaml's strict mode (duplicate keys are errors).
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"

	"gopkg.in/yaml.v2"
)

type result struct {
	OK    bool          `json:"ok"`
	Docs  []interface{} `json:"docs,omitempty"`
	Error string        `json:"error,omitempty"`
}

type outcome struct {
	Plain  result `json:"plain"`
	Strict result `json:"strict"`
}

func main() {
	var texts []string
	if err := json.NewDecoder(os.Stdin).Decode(&texts); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	outcomes := make([]outcome, len(texts))
	for i, text := range texts {
		outcomes[i] = outcome{read(text, false), read(text, true)}
	}
	if err := json.NewEncoder(os.Stdout).Encode(outcomes); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}

// read decodes every document of text; a panic inside go-yaml counts as a rejection.
func read(text string, strict bool) (res result) {
	defer func() {
		if r := recover(); r != nil {
			res = result{Error: fmt.Sprint("panic: ", r)}
		}
	}()
	decoder := yaml.NewDecoder(bytes.NewReader([]byte(text)))
	decoder.SetStrict(strict)
	docs := []interface{}{}
	for {
		var value interface{}
		err := decoder.Decode(&value)
		if err == io.EOF {
			break
		}
		if err != nil {
			return result{Error: err.Error()}
		}
		if value == nil {
			continue
		}
		typed, err := typedTree(value)
		if err != nil {
			return result{Error: err.Error()}
		}
		docs = append(docs, typed)
	}
	return result{OK: true, Docs: docs}
}

// typedTree converts as sigs.k8s.io/yaml does before json.Marshal (keys become strings;
// NaN and infinities cannot be marshalled), keeping each scalar's type.
func typedTree(value interface{}) (interface{}, error) {
	switch v := value.(type) {
	case nil:
		return nil, nil
	case bool:
		return map[string]interface{}{"b": v}, nil
	case int:
		return map[string]interface{}{"i": strconv.Itoa(v)}, nil
	case int64:
		return map[string]interface{}{"i": strconv.FormatInt(v, 10)}, nil
	case uint64:
		return map[string]interface{}{"i": strconv.FormatUint(v, 10)}, nil
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("json: unsupported value: %v", v)
		}
		return map[string]interface{}{"f": strconv.FormatFloat(v, 'g', -1, 64)}, nil
	case string:
		return map[string]interface{}{"s": v}, nil
	case []interface{}:
		items := make([]interface{}, len(v))
		for i, item := range v {
			typed, err := typedTree(item)
			if err != nil {
				return nil, err
			}
			items[i] = typed
		}
		return items, nil
	case map[interface{}]interface{}:
		fields := map[string]interface{}{}
		for key, item := range v {
			text, err := keyText(key)
			if err != nil {
				return nil, err
			}
			typed, err := typedTree(item)
			if err != nil {
				return nil, err
			}
			fields[text] = typed
		}
		return map[string]interface{}{"m": fields}, nil
	}
	return nil, fmt.Errorf("unexpected value of type %T", value)
}

// keyText turns a map key into a string the way sigs.k8s.io/yaml does.
func keyText(key interface{}) (string, error) {
	switch k := key.(type) {
	case string:
		return k, nil
	case int:
		return strconv.Itoa(k), nil
	case int64:
		return strconv.FormatInt(k, 10), nil
	case float64:
		text := strconv.FormatFloat(k, 'g', -1, 32)
		switch text {
		case "+Inf":
			return ".inf", nil
		case "-Inf":
			return "-.inf", nil
		case "NaN":
			return ".nan", nil
		}
		return text, nil
	case bool:
		if k {
			return "true", nil
		}
		return "false", nil
	}
	return "", fmt.Errorf("unsupported map key of type %T", key)
}
